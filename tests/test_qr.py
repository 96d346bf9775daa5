"""/qr: a QR code and an A4 poster of a city's link, a campaign link, an action or a petition,
for organizers, each press checked again."""

from __future__ import annotations

import io
import re
import time
from zoneinfo import ZoneInfo

import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from bot.app import services_of
from bot.context import MusterApp
from bot.localtime import show
from domain.petitions import PetitionPlan
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage.cities import City
from tests.conftest import followers, pdf_text
from tests.test_account import alert_for


def decoded(sim: BotApiSimulator, sent: SentMessage) -> str:
    """The text of the one QR code in a photo the bot sent."""
    assert sent.kind == "photo"
    image = sim.file((sent.media or {})["photo"][-1]["file_id"])
    assert image is not None
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    assert len(found) == 1
    return str(found[0].text)


RECTANGLE = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f")


def printed_code(pdf: bytes) -> str:
    """The text of the QR code drawn on the poster: its filled squares painted onto a white
    A4 page at 3 pixels a point, then read like a phone's camera would."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    scale, height = 3, float(page.mediabox.height)
    image = Image.new("L", (int(float(page.mediabox.width) * scale), int(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    contents = page.get_contents()
    assert contents is not None
    for match in RECTANGLE.finditer(contents.get_data()):
        x, y, width, side = (float(value) for value in match.groups())
        top = (height - y - side) * scale
        draw.rectangle((x * scale, top, (x + width) * scale - 1, top + side * scale - 1), fill=0)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return str(found[0].text)


async def poster_for(sim: BotApiSimulator, person: SimUser, label: str) -> tuple[str, str, str]:
    """/qr and a press on `label`: the link in the QR photo, its caption, and the text of the
    poster PDF that follows."""
    documents = sum(m.kind == "document" for m in person.messages)
    await person.says("/qr")
    await person.waits_for(lambda chat: label in chat.last.labels())
    await person.presses(label)
    await person.waits_for(
        lambda chat: sum(m.kind == "document" for m in chat.messages) > documents, 60
    )
    photo = [m for m in person.messages if m.kind == "photo"][-1]
    document = [m for m in person.messages if m.kind == "document"][-1]
    pdf = sim.file((document.media or {})["document"]["file_id"])
    assert pdf is not None and pdf.content.startswith(b"%PDF")
    link = decoded(sim, photo)
    assert printed_code(pdf.content) == link  # the poster's code is the photo's
    return link, photo.caption, pdf_text(pdf.content)


async def test_a_citys_code_decodes_to_its_link_and_its_poster_speaks_its_followers_languages(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Seattle has five Spanish-speaking followers: Olga's poster of Seattle's link has the
    city as its title, the link, and "scan to join" in English (hers) and Spanish; the QR code
    decodes to the link. Two Vietnamese speakers are too few to get a line of their own."""
    await followers(sim, db, seattle, 5, lang="es")
    await followers(sim, db, seattle, 2, lang="vi")
    link, caption, printed = await poster_for(sim, organizer, "📍 Seattle")
    assert link == f"https://t.me/{sim.bot_user()['username']}?start=city-seattle"
    assert caption.startswith("📷 QR code for Seattle") and caption.endswith(link)
    lines = printed.splitlines()
    assert lines[0] == "Seattle"
    assert link in lines
    assert "Scan to join us in Seattle" in lines and "Escanea para unirte en Seattle" in lines
    assert not any("Quét" in line for line in lines)


async def test_posters_of_an_action_a_petition_and_a_campaign_link(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """An action's poster gives its local time and place under the title; a petition's and a
    campaign link's codes decode to their own links."""
    services = services_of(muster)
    starts = int(time.time()) + 86_400
    action = await action_store.create(db, None, seattle.id, "Vigil", starts, "Gas Works", "", None)
    await services.mobilizer.publish(action)
    link, _, printed = await poster_for(sim, organizer, "📅 Vigil")
    assert link.endswith(f"?start=action-{action.id}")
    when = show(starts, ZoneInfo("America/Los_Angeles"), "en")
    assert printed.splitlines()[:2] == ["Vigil", f"{when} · Gas Works"]
    assert "Scan to say you'll be there" in printed

    plan = PetitionPlan(seattle.id, "Save the river", "Stop the dam", "The council", 100)
    petition, _ = await services.petitions.publish_new(None, plan)
    link, _, printed = await poster_for(sim, organizer, "✍️ Save the river")
    assert link.endswith(f"?start=petition-{petition.id}")
    assert "Scan to sign the petition" in printed

    organizer.mark_all_read()
    await organizer.says("/newlink Spring flyer seattle")
    made = (await organizer.receives()).text
    link, _, printed = await poster_for(sim, organizer, "🔗 Spring flyer")
    assert link in made and "?start=ref-" in link
    assert printed.splitlines()[0] == "Seattle"


async def test_a_forged_press_for_another_citys_link_makes_nothing(
    sim: BotApiSimulator, admin: SimUser, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """Olga organizes in Seattle only: pressing forged data for New York's city link or for an
    admin's New York campaign link gets a refusal and no code."""
    await admin.says("/newlink Subway ads new-york")
    await admin.receives()
    await organizer.says("/qr")
    menu = await organizer.receives()
    assert "📍 New York" not in menu.labels() and "🔗 Subway ads" not in menu.labels()
    refusal = "You can't make a QR code of that: it is not in your cities, or it is over."
    for data in (f"qr:city:{new_york.id}", "qr:link:1", "qr:action:999", "qr:city:x"):
        assert await answer_to(sim, organizer, data, menu.message_id) == refusal, data
    assert not any(m.kind in ("photo", "document") for m in organizer.messages)


async def answer_to(
    sim: BotApiSimulator, person: SimUser, data: str, message_id: int
) -> str | None:
    """What the bot answers to a press carrying `data` (forged, perhaps) on that message."""
    answered = len(person.callback_answers)
    await person.presses_data(data, message_id=message_id)
    await sim.wait_until(lambda: len(person.callback_answers) > answered, 5)
    return person.callback_answers[-1].text


async def test_a_demoted_organizers_old_buttons_make_nothing(
    sim: BotApiSimulator, db: Database, admin: SimUser, organizer: SimUser, seattle: City
) -> None:
    """Permission is asked on the press, not when the buttons were sent: after Olga's demotion
    her /qr buttons are refused."""
    await organizer.says("/qr")
    await organizer.waits_for(lambda chat: "📍 Seattle" in chat.last.labels())
    await admin.says(f"/demote {organizer.id}")
    await admin.receives()
    refusal = "You can't make a QR code of that: it is not in your cities, or it is over."
    assert await alert_for(sim, organizer, "📍 Seattle") == refusal
