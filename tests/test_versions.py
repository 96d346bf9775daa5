"""Stories of broadcasts in several languages: an organizer adds versions, and each supporter
gets the one in their language, or the first one written when theirs is missing."""

from __future__ import annotations

from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage.cities import City
from tests.conftest import followers
from tests.test_broadcast import begins_broadcast


async def test_each_supporter_gets_the_version_in_their_language(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Olga writes in English, adds Spanish and Arabic; each reader gets the version in
    their language, and a Chinese reader, with none written, the English; the stored
    broadcast keeps one row per added language."""
    english = await followers(sim, db, seattle, 2, lang="en")
    spanish = await followers(sim, db, seattle, 2, lang="es")
    arabic = await followers(sim, db, seattle, 1, lang="ar")
    chinese = await followers(sim, db, seattle, 1, lang="zh")
    await begins_broadcast(organizer, "Seattle")
    await organizer.says("March at <b>noon</b>!")
    await organizer.waits_for(lambda chat: "🌐 Add a language" in chat.last.labels())
    await organizer.presses("🌐 Add a language")
    await organizer.waits_for(lambda chat: "Español" in chat.last.labels())
    assert "English" not in organizer.last.labels()  # the first version is hers
    await organizer.presses("Español")
    await organizer.waits_for(lambda chat: "Español" in chat.last.text)
    await organizer.says("¡Marcha al mediodía!")
    await organizer.waits_for(lambda chat: "📣 Send now" in chat.last.labels())
    assert any(m.text == "🌐 Also written in: Español." for m in organizer.messages)
    await organizer.presses("🌐 Add a language")
    await organizer.waits_for(lambda chat: "العربية" in chat.last.labels())
    assert "Español" not in organizer.last.labels()
    await organizer.presses("العربية")
    await organizer.waits_for(lambda chat: "العربية" in chat.last.text)
    await organizer.says("مسيرة عند الظهر!")
    await organizer.waits_for(lambda chat: "📣 Send now" in chat.last.labels())
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 6 of 6" in chat.last.text, timeout=10)
    assert [person.last.text for person in english] == ["March at <b>noon</b>!"] * 2
    assert [person.last.text for person in spanish] == ["¡Marcha al mediodía!"] * 2
    assert [person.last.text for person in arabic] == ["مسيرة عند الظهر!"]
    assert [person.last.text for person in chinese] == ["March at <b>noon</b>!"]
    (sent,) = await broadcast_store.recent(db, limit=1)
    assert set(sent.content.versions) == {"es", "ar"}


async def test_a_version_must_be_text(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """A sticker or photo sent as a version gets a clear answer and another chance."""
    await followers(sim, db, seattle, 1)
    await begins_broadcast(organizer, "Seattle")
    await organizer.says("Vigil tonight")
    await organizer.waits_for(lambda chat: "🌐 Add a language" in chat.last.labels())
    await organizer.presses("🌐 Add a language")
    await organizer.waits_for(lambda chat: "Español" in chat.last.labels())
    await organizer.presses("Español")
    await organizer.waits_for(lambda chat: "Español" in chat.last.text)
    await organizer.sends_photo(caption="Vigilia")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Please send this version"))
    await organizer.says("Vigilia esta noche")
    await organizer.waits_for(lambda chat: "📣 Send now" in chat.last.labels())
