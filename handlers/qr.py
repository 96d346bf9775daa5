"""/qr: a QR code and a printable A4 poster of a link: one of the organizer's cities, campaign
links, upcoming actions or open petitions, picked with a button. Each press is checked again:
the button's data may be forged, or the organizer's grant gone since."""

from __future__ import annotations

import contextlib
import logging

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import clipped, t
from bot.printing import PrintFailed
from domain.posters import Kind, Subject
from handlers.common import PRIVATE_MESSAGE, reply
from handlers.fallback import unknown_command
from views.buttons import QR_ACTION, QR_CITY, QR_LINK, QR_PETITION, Button, any_of, one_per_row
from views.links import deep_link
from views.poster_pdf import Poster, poster_of, poster_pdf
from views.qr import qr_png

log = logging.getLogger(__name__)

BUTTONS: dict[Kind, Button] = {
    Kind.CITY: QR_CITY,
    Kind.LINK: QR_LINK,
    Kind.ACTION: QR_ACTION,
    Kind.PETITION: QR_PETITION,
}
# The mark before each button's label, telling cities, links, actions and petitions apart.
MARKS = {Kind.CITY: "📍", Kind.LINK: "🔗", Kind.ACTION: "📅", Kind.PETITION: "✍️"}
LABEL = 48  # characters of a title on a button


async def choose(update: Update, context: MusterContext) -> None:
    """/qr: a button for each thing the organizer may make a poster of."""
    user = update.effective_user
    if user is None or await context.reach(user) is None:
        await unknown_command(update, context)
        return
    targets = await context.posters.targets(user.id)
    if not targets:
        await reply(update, context, "qr_nothing")
        return
    markup = one_per_row(
        *(
            (
                f"{MARKS[target.kind]} {clipped(target.label, LABEL)}",
                BUTTONS[target.kind].data(target.id),
            )
            for target in targets
        )
    )
    await reply(update, context, "qr_choose", markup=markup)


async def make(update: Update, context: MusterContext) -> None:
    """A press: the QR code as a photo at once, then the poster as a PDF once drawn."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    language = await context.language_of(query.from_user)
    pressed = _pressed(query.data)
    subject = None
    if pressed is not None:
        subject = await context.posters.subject(query.from_user.id, *pressed, language)
    if pressed is None or subject is None:
        await query.answer(t(language, "qr_refused"), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id
    link = deep_link(context.bot.username, subject.payload)
    title = clipped(subject.title, 200)  # a caption holds 1024 characters
    photo = InputFile(qr_png(link), filename=f"qr-{subject.payload}.png")
    caption = t(language, "qr_caption", title=title, link=link)
    await context.bot.send_photo(chat_id, photo, caption=caption)
    key = ("poster", chat_id, subject.payload)
    if not context.printer.busy_with(key):  # a second press while it is drawn: one poster
        poster = _poster(subject, link)
        context.printer.start(key, _send_poster(context, chat_id, poster, subject, language))


def _pressed(data: str | None) -> tuple[Kind, int] | None:
    for kind, button in BUTTONS.items():
        number = button.number(data)
        if number is not None:
            return kind, number
    return None


def _poster(subject: Subject, link: str) -> Poster:
    return poster_of(
        subject.kind.value,
        subject.title,
        link,
        subject.languages,
        city_name=subject.city.name if subject.city else None,
        action=subject.action,
        zone=subject.zone,
    )


async def _send_poster(
    context: MusterContext, chat_id: int, poster: Poster, subject: Subject, language: str
) -> None:
    """Drawn in the printer's child process (ReportLab would hold the event loop), then sent."""
    title = clipped(subject.title, 200)
    try:
        pdf = await context.printer.draw(poster_pdf, poster)
    except PrintFailed:
        await context.bot.send_message(chat_id, t(language, "poster_failed", title=title))
        return
    document = InputFile(pdf, filename=f"poster-{subject.payload}.pdf")
    try:
        caption = t(language, "poster_caption", title=title)
        await context.bot.send_document(chat_id, document, caption=caption)
    except TelegramError as error:
        log.warning("a poster was not delivered: %s", error)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat_id, t(language, "poster_failed", title=title))


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("qr", choose, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(make, pattern=any_of(*BUTTONS.values())),
    ]
