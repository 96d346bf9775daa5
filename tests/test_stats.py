"""/stats: organizers see how their cities grow, where people come from, what broadcasts reached
and who came to actions; admins see every city and all supporters; nobody sees a group of
fewer than 5 people, in text or in a chart."""

from __future__ import annotations

import asyncio
import io
import time
from zoneinfo import ZoneInfo

from PIL import Image

from bot.app import services_of
from bot.context import MusterApp
from bot.i18n import t
from bot.localtime import show
from bot.printing import Printer
from domain.stats import breakdown, shown, total
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import retention as retention_store
from storage import supporters as supporter_store
from storage import turnout as turnout_store
from storage.broadcasts import Content
from storage.cities import City
from storage.stats import SourceKind
from tests.conftest import ADMIN_ID, followers
from views.charts import chart_set
from views.chartset import HEIGHT, WIDTH
from views.figures import Kind, Shown
from views.figures import Scope as StatsScope

CHARTS = 20.0  # seconds: a child process imports matplotlib, then draws


async def stats_of(person: SimUser, command: str = "/stats") -> tuple[str, list[SentMessage]]:
    """What /stats answers: the text, then the charts and the notes about charts not drawn,
    up to the last message (a note, or the third chart)."""
    person.mark_all_read()
    await person.says(command)
    text = (await person.receives(timeout=CHARTS)).text
    after: list[SentMessage] = []
    while not after or (after[-1].kind == "photo" and len(after) < 3):
        after.append(await person.receives(timeout=CHARTS))
    return text, after


def size_of(sim: BotApiSimulator, photo: SentMessage) -> tuple[int, int]:
    """The picture's size as it decodes (Pillow reads the whole PNG)."""
    uploaded = sim.file((photo.media or {})["photo"][-1]["file_id"])
    assert uploaded is not None
    image = Image.open(io.BytesIO(uploaded.content))
    image.load()
    assert image.format == "PNG"
    return image.size


NEWCOMERS = iter(range(900_000, 1_000_000))  # ids no simulated user has


async def arrive(db: Database, city: City | None, count: int, source: str | None) -> None:
    """People who came through a link (and follow the city, if any), made without chatting."""
    for _ in range(count):
        user_id = next(NEWCOMERS)
        await supporter_store.arrive(db, user_id, "en", source, city.id if city else None)


async def delivered(app: MusterApp, broadcast_id: int) -> None:
    """Waits until the broadcast's delivery has ended and its outcomes are recorded."""
    run = services_of(app).engine.runs.get(broadcast_id)
    if run is not None and run.task is not None:
        await asyncio.wait_for(asyncio.shield(run.task), 10)


async def test_an_organizer_sees_their_cities_and_charts_as_photos(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """Olga organizes Seattle: /stats gives Seattle's numbers and not New York's, then the
    follower line and the new supporters as 1200 x 800 PNGs, and says there is no action to
    chart yet. /stats new-york is refused, a slug that is no city's is answered, and for a
    supporter /stats is a command like any unknown one."""
    await followers(sim, db, seattle, 6)
    await followers(sim, db, new_york, 8)
    text, charts = await stats_of(organizer)
    assert text.splitlines()[:3] == [
        "📍 Seattle",
        "👥 Followers: 6 (active 6, paused 0, unreachable 0)",
        "🌱 New followers: 6 in the last 7 days, 6 in the last 30 days",
    ]
    assert "🔗 Where they came from: no link 6" in text
    assert "New York" not in text and "All cities" not in text and "Supporters" not in text
    assert [chart.kind for chart in charts] == ["photo", "photo", "text"]
    assert charts[0].caption == "📈 Followers over the last 90 days: Seattle"
    assert charts[1].caption.startswith("📊 New supporters per week")
    assert [size_of(sim, photo) for photo in charts[:2]] == [(WIDTH, HEIGHT), (WIDTH, HEIGHT)]
    assert charts[2].text == "🎯 No chart of actions yet: none has been announced."

    await organizer.says("/stats new-york")
    assert (await organizer.receives()).text == (
        "You don't organize in New York, so its numbers are not yours to see. "
        "Send /stats for your own cities."
    )
    await organizer.says("/stats atlantis")
    assert (await organizer.receives()).text.startswith("There is no city atlantis. Send /stats")
    await organizer.says("/stats <b>forged</b>")
    assert (await organizer.receives()).text.startswith("There is no city <b>forged</b>.")
    ana = sim.user("Ana")
    await ana.says("/stats")
    assert (
        await ana.receives()
    ).text == "I don't know that command. Send /help to see what I can do."


async def test_an_admin_sees_every_city_all_supporters_and_folded_deliveries(
    sim: BotApiSimulator,
    muster: MusterApp,
    db: Database,
    admin: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """Alex, an admin, sees all supporters together (those following no city too) and every
    city. A broadcast whose rows per recipient retention folded into counts still counts."""
    await admin.says("/start")
    await admin.receives()
    await followers(sim, db, seattle, 6)
    await followers(sim, db, new_york, 7)
    await arrive(db, None, 5, None)
    broadcast = await broadcast_store.create(db, ADMIN_ID, seattle.id, Content("Rally at 6"))
    await services_of(muster).engine.send_now(broadcast.id)
    await delivered(muster, broadcast.id)
    assert await retention_store.fold(db, broadcast.id, 100) == 6
    rows = await db.fetch_one(
        "SELECT count(*) FROM deliveries WHERE broadcast_id = ?", (broadcast.id,)
    )
    assert rows is not None and rows[0] == 0
    text, _ = await stats_of(admin)
    everyone, *cities, _ = text.split("\n\n")
    assert everyone.splitlines()[:2] == [
        "🌍 All cities together",
        "👥 Supporters: 19 (active 19, paused 0, unreachable 0)",
    ]
    sent = "📣 Broadcasts in the last 30 days: 1 (sent 6, blocked the bot 0, failed 0)"
    assert sent in everyone
    assert [city.splitlines()[0] for city in cities] == ["📍 New York", "📍 Seattle"]
    assert "👥 Followers: 7 (active 7" in cities[0]
    assert sent in cities[1]


async def test_a_group_of_fewer_than_5_is_never_shown(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """Seattle has 10 followers: 7 from its city link, 3 from an invite link, one of them
    paused. The paused one and the invite link's three show as "fewer than 5", and beside
    each the smallest exact figure is rounded, so that 10 minus the rest does not tell them.
    New York, with 3 followers, shows "fewer than 5" for its total too."""
    await arrive(db, seattle, 7, "city:seattle")
    await arrive(db, seattle, 3, "ref:abc123")
    paused = await db.fetch_one("SELECT max(user_id) FROM supporters")
    assert paused is not None
    await supporter_store.set_status(db, paused[0], supporter_store.Status.PAUSED)
    text, _ = await stats_of(organizer)
    assert "👥 Followers: 10 (active about 10, paused fewer than 5, unreachable 0)" in text
    assert "🔗 Where they came from: city links about 10, other invite links fewer than 5" in text
    assert "abc123" not in text
    await arrive(db, new_york, 3, None)
    await organizer_store.promote(db, ADMIN_ID, organizer.id, [new_york.id], all_cities=False)
    text, charts = await stats_of(organizer, "/stats new-york")
    assert text.splitlines()[1] == (
        "👥 Followers: fewer than 5 (active fewer than 5, paused 0, unreachable 0)"
    )
    assert "🌱 New followers: fewer than 5 in the last 7 days" in text
    assert [chart.text for chart in charts] == [
        "📭 No charts for New York yet: there is no data to draw."
    ]


def test_a_hidden_part_cannot_be_worked_out_from_the_total() -> None:
    """A count of 1 to 4 is hidden and 0 is not; in a breakdown with a hidden part, the
    smallest exact part is rounded to the nearest ten; with none hidden all stay exact."""
    few, exact = Shown(Kind.FEW, 0), Kind.EXACT
    assert [shown(n) for n in (0, 1, 4, 5)] == [Shown(exact, 0), few, few, Shown(exact, 5)]
    hidden = breakdown({"active": 1000, "paused": 3, "unreachable": 45})
    assert hidden == {
        "active": Shown(exact, 1000),
        "paused": few,
        "unreachable": Shown(Kind.ABOUT, 50),
    }
    assert breakdown({"a": 7, "b": 5}) == {"a": Shown(exact, 7), "b": Shown(exact, 5)}
    assert breakdown({"a": 2, "b": 2}) == {"a": few, "b": few}
    # Every city's blocked sends and their sum, shown beside them.
    assert total([2, 40, 0]) == Shown(Kind.ABOUT, 40)
    assert total([5, 40]) == Shown(exact, 45)
    assert total([1, 2]) == few


async def test_sources_count_the_link_each_person_came_through(
    sim: BotApiSimulator, muster: MusterApp, db: Database, admin: SimUser, seattle: City
) -> None:
    """Five people open Seattle's link, six an invite link and then pick Seattle, five an
    action's link: Seattle counts the first two kinds, the totals all three."""
    action = await action_store.create(
        db, None, seattle.id, "Rally", int(time.time()) + 86_400, "HQ", "", None
    )
    await services_of(muster).mobilizer.publish(action)
    for number in range(16):
        person = sim.user(f"Newcomer {number}")
        link = (
            "city-seattle"
            if number < 5
            else ("ref-flyer1" if number < 11 else f"action-{action.id}")
        )
        await person.says(f"/start {link}")
        await person.receives()
        if link == "ref-flyer1":
            await person.presses("Seattle")
            await person.waits_for(lambda chat: "✅ Seattle" in chat.last.labels())
    text, _ = await stats_of(admin)
    everyone, seattle_block, _ = text.split("\n\n")
    assert "👥 Supporters: 16 (active 16" in everyone
    assert "🔗 Where they came from: city links 5, invite link flyer1 6, action links 5" in everyone
    assert "👥 Followers: 11 (active 11" in seattle_block
    assert "🔗 Where they came from: city links 5, invite link flyer1 6\n" in seattle_block


async def test_the_funnel_counts_who_was_alerted_said_yes_came_and_said_no(
    sim: BotApiSimulator, muster: MusterApp, db: Database, organizer: SimUser, seattle: City
) -> None:
    """A rally announced to Seattle's 12 followers: 7 say yes, 3 say no, 5 check in at the
    door. /stats shows 12 → 7 → 5 and "fewer than 5" for the no, and draws the funnel."""
    people = await followers(sim, db, seattle, 12)
    action = await action_store.create(
        db, organizer.id, seattle.id, "Rally at HQ", int(time.time()) + 1800, "HQ", "", None
    )
    await services_of(muster).mobilizer.publish(action)
    published = await action_store.get(db, action.id)
    assert published is not None and published.announcement_id is not None
    await delivered(muster, published.announcement_id)
    for number, person in enumerate(people[:10]):
        await person.waits_for(lambda chat: "Rally at HQ" in chat.last.text)
        await person.presses("I'll be there" if number < 7 else "Can't make it")
    token = await turnout_store.checkin_token(db, action.id)
    for person in people[:5]:
        person.mark_all_read()
        await person.says(f"/start checkin-{token}")
        await person.receives()
    text, charts = await stats_of(organizer)
    when = show(action.starts_at, ZoneInfo(seattle.timezone), "en")
    assert (
        f"• #{action.id} Rally at HQ, {when}: alerted 12 → said yes 7 → came 5; "
        "said no fewer than 5" in text
    )
    assert [chart.caption.split(":")[0] for chart in charts] == [
        "📈 Followers over the last 90 days",
        "📊 New supporters per week, by where they came from",
        "🎯 The latest actions, from the alert to who came",
    ]
    assert size_of(sim, charts[2]) == (WIDTH, HEIGHT)


async def test_a_city_with_no_data_gets_a_word_instead_of_empty_charts(
    sim: BotApiSimulator, db: Database, admin: SimUser
) -> None:
    """/stats for a city nobody follows yet: zeros in the text, and one short reply instead of
    three empty frames."""
    await admin.says("/start")
    await admin.receives()
    await city_store.add(db, "tacoma", "America/Los_Angeles", "Tacoma")
    text, after = await stats_of(admin, "/stats tacoma")
    assert text.splitlines()[:2] == [
        "📍 Tacoma",
        "👥 Followers: 0 (active 0, paused 0, unreachable 0)",
    ]
    assert "🗓 No action announced yet." in text
    assert [message.text for message in after] == [
        "📭 No charts for Tacoma yet: there is no data to draw."
    ]
    await sim.idle()
    assert [message.kind for message in admin.messages].count("photo") == 0


async def test_charts_speak_the_readers_language_or_say_why_not(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """An Arabic-speaking organizer gets the captions in Arabic, the charts' words drawn in
    Arabic; a Chinese-speaking one in Chinese, and where the machine has no Chinese font (as
    matplotlib's own fonts have none), a caption saying the chart's words are in English."""
    await followers(sim, db, seattle, 6)
    from views import plotting  # which fonts the drawing child will find

    chinese_font = plotting.drawable("关注者")
    for name, language in (("Amal", "ar"), ("Wei", "zh")):
        person = sim.user(name, lang=language)
        await person.says("/start")
        await person.receives()
        await organizer_store.promote(db, ADMIN_ID, person.id, [seattle.id], all_cities=False)
        _, charts = await stats_of(person)
        follower_line = charts[0]
        assert follower_line.kind == "photo"
        caption = t(language, "stats_caption_followers", scope="Seattle")
        note = t(language, "stats_charts_in_english")
        in_english = language == "zh" and not chinese_font
        assert follower_line.caption == (f"{caption}\n{note}" if in_english else caption)


async def test_the_charts_leave_out_every_point_and_bar_under_5(
    sim: BotApiSimulator, muster: MusterApp, db: Database, seattle: City
) -> None:
    """Seattle's first 3 followers came 20 days ago and 6 more 10 days ago: its line starts
    when it reaches 5, the week with 3 newcomers has no bar, the week with 6 has one; the
    charts still draw."""
    await arrive(db, seattle, 3, None)
    await db.change("UPDATE subscriptions SET created_at = created_at - 20 * 86400")
    await db.change("UPDATE supporters SET joined_at = joined_at - 20 * 86400")
    await arrive(db, seattle, 6, "city:seattle")
    await db.change(
        "UPDATE subscriptions SET created_at = created_at - 10 * 86400 "
        "WHERE created_at > unixepoch() - 86400"
    )
    await db.change(
        "UPDATE supporters SET joined_at = joined_at - 10 * 86400 "
        "WHERE joined_at > unixepoch() - 86400"
    )
    insight = services_of(muster).insight
    scope = await insight.scope(ADMIN_ID, "seattle")
    assert isinstance(scope, StatsScope)
    trends = await insight.trends(scope)
    (line,) = trends.lines
    # 3 followers until 10 days ago: nothing drawn; then 9.
    first = next(day for day, value in enumerate(line.values) if value is not None)
    assert 78 <= first <= 80
    assert line.values[:first] == [None] * first
    assert line.values[first:] == [9] * (len(line.values) - first)
    new = [week for week in range(len(scope.weeks)) if trends.weekly[SourceKind.CITY][week]]
    assert [trends.weekly[SourceKind.CITY][week] for week in new] == [6]
    assert None in trends.weekly[SourceKind.OTHER]  # the 3 of 20 days ago: no bar
    from views import plotting  # drawn here, as the child draws

    drawn = plotting.draw(chart_set(trends, "en"))
    assert [chart.chart.value for chart in drawn] == ["followers", "sources"]


async def test_charts_that_cannot_be_drawn_leave_the_numbers_standing(
    sim: BotApiSimulator, muster: MusterApp, db: Database, organizer: SimUser, seattle: City
) -> None:
    """When the drawing child fails, Olga still gets the numbers, then a word that the charts
    could not be drawn this time."""
    await followers(sim, db, seattle, 6)
    insight = services_of(muster).insight
    insight.printer = Printer(preload=("a_module_muster_does_not_have",))
    try:
        text, after = await stats_of(organizer)
    finally:
        await insight.printer.close()
    assert text.startswith("📍 Seattle\n👥 Followers: 6")
    assert [message.text for message in after] == [
        "⚠️ The charts could not be drawn this time; the numbers above stand. "
        "Try /stats again later."
    ]
