"""Petitions: /newpetition (scope, title, demand, target, goal, preview, publish), the Sign
button, /start petition-<id>, /mysignatures with withdrawal, and /petitions with Close.

As everywhere, who may act on which city is asked afresh at every step."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import MusterContext
from bot.i18n import clipped, t
from bot.localtime import show
from bot.printing import PrintFailed
from domain.drafts import PetitionDraft
from domain.petitions import PetitionPlan
from handlers.common import (
    PRIVATE_MESSAGE,
    bounded_text,
    edit,
    edit_markup,
    read_local_time,
    reply,
    signed_up,
)
from handlers.conversations import persistent, step
from handlers.fallback import not_understood, unknown_command
from storage.petitions import Petition, PetitionState, Signing, Tally
from views.buttons import (
    FOLLOW_UP,
    PETITION_ABORT,
    PETITION_ASK_CLOSE,
    PETITION_CLOSE,
    PETITION_EXPORT,
    PETITION_NAMES,
    PETITION_PUBLISH,
    PETITION_PUBLISH_LATER,
    PETITION_SCOPE,
    SIGN,
    WITHDRAW,
    one_per_row,
)
from views.exports import counts_csv
from views.petition_pdf import Sheet, Signer, petition_pdf, sheet_of
from views.petitions import render, share_link, sign_markup

log = logging.getLogger(__name__)

SCOPE, TITLE, DEMAND, TARGET, GOAL, NAMES, CONFIRM, PUBLISH_AT = range(8)
END = ConversationHandler.END
KIND = "petition"
# The card carries title, target and demand together within Telegram's 4096 characters.
LIMITS = {"title": 200, "demand": 3000, "target": 200}
MAX_GOAL = 100_000_000
SHOWN = 10  # petitions listed by /mysignatures and /petitions


def draft_of(context: MusterContext) -> PetitionDraft:
    data = context.user_data if context.user_data is not None else {}
    draft = data.get("petition_draft")
    if not isinstance(draft, PetitionDraft):
        draft = PetitionDraft()
        data["petition_draft"] = draft
    return draft


# --- /newpetition ---------------------------------------------------------------------------


async def begin(update: Update, context: MusterContext) -> int:
    reach = await context.reach(update.effective_user)
    if reach is None:
        await unknown_command(update, context)
        return END
    cities = [c for c in await context.cities.every() if reach.may_reach(c.id)]
    if not cities and not reach.all_cities:
        await reply(update, context, "no_city_for_petition")
        return END
    language = await context.language_of(update.effective_user)
    choices = [(c.name, PETITION_SCOPE.data(c.id)) for c in cities]
    if reach.all_cities:
        choices.append((t(language, "all_cities_button"), PETITION_SCOPE.data("all")))
    markup = one_per_row(*choices, (t(language, "button_abort"), PETITION_ABORT.data()))
    if context.user_data is not None:
        context.user_data["petition_draft"] = PetitionDraft()
    await reply(update, context, "newpetition_scope", markup=markup)
    return SCOPE


async def choose_scope(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    if query is None:
        return END
    values = PETITION_SCOPE.parse(query.data)
    city_id = None if values is None or values[0] == "all" else int(values[0])
    language = await context.language_of(query.from_user)
    known = city_id is None or await context.cities.get(city_id) is not None
    if values is None or not known or not await _may_reach(context, query.from_user.id, city_id):
        await query.answer(t(language, "petition_not_your_scope"), show_alert=True)
        return SCOPE
    await query.answer()
    draft = draft_of(context)
    draft.city_id, draft.chosen = city_id, True
    await edit(update, context, t(language, "newpetition_title"))
    return TITLE


async def take_title(update: Update, context: MusterContext) -> int:
    title = await bounded_text(update, context, LIMITS["title"])
    if title is None:
        return TITLE
    draft_of(context).title = title
    await reply(update, context, "newpetition_demand")
    return DEMAND


async def take_demand(update: Update, context: MusterContext) -> int:
    message = update.effective_message
    if await bounded_text(update, context, LIMITS["demand"]) is None or message is None:
        return DEMAND
    draft_of(context).demand = message.text_html  # the organizer's formatting, kept
    await reply(update, context, "newpetition_target")
    return TARGET


async def take_target(update: Update, context: MusterContext) -> int:
    target = await bounded_text(update, context, LIMITS["target"])
    if target is None:
        return TARGET
    draft_of(context).target = target
    await reply(update, context, "newpetition_goal")
    return GOAL


async def take_goal(update: Update, context: MusterContext) -> int:
    message = update.effective_message
    typed = (message.text or "").strip().replace(",", "").replace(" ", "") if message else ""
    if not (typed.isascii() and typed.isdigit()) or not 0 < int(typed) <= MAX_GOAL:
        await reply(update, context, "newpetition_goal_wrong", most=MAX_GOAL)
        return GOAL
    draft_of(context).goal = int(typed)
    language = await context.language_of(update.effective_user)
    markup = one_per_row(
        (t(language, "button_collect_names"), PETITION_NAMES.data("yes")),
        (t(language, "button_count_only"), PETITION_NAMES.data("no")),
    )
    await reply(update, context, "newpetition_names", markup=markup)
    return NAMES


async def choose_names(update: Update, context: MusterContext) -> int:
    """Whether signers are asked for a name for the delivered list (each may still skip)."""
    query = update.callback_query
    values = PETITION_NAMES.parse(query.data if query else None)
    if query is None or values is None:
        return NAMES
    await query.answer()
    draft_of(context).collect_names = values[0] == "yes"
    return await preview(update, context)


async def preview(update: Update, context: MusterContext) -> int:
    """The card exactly as followers will see it, the audience, and the choices."""
    draft, message, user = draft_of(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    if not await _may_reach(context, user.id, draft.city_id):
        await reply(update, context, "petition_not_your_scope")
        return END
    language = await context.language_of(user)
    view = render(_plan(draft).unsaved(), language, context.bot.username, share=False)
    await message.reply_text(view.text, reply_markup=view.markup)
    count = await context.petitions.audience(draft.city_id)
    markup = one_per_row(
        (t(language, "button_publish_now"), PETITION_PUBLISH.data()),
        (t(language, "button_publish_at"), PETITION_PUBLISH_LATER.data()),
        (t(language, "button_abort"), PETITION_ABORT.data()),
    )
    await reply(update, context, "newpetition_confirm", markup=markup, count=count)
    return CONFIRM


async def publish_now(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    draft = draft_of(context)
    if query is None:
        return END
    language = await context.language_of(query.from_user)
    complete = draft.chosen and draft.title and draft.demand and draft.target and draft.goal
    if not complete or not await _may_reach(context, query.from_user.id, draft.city_id):
        await query.answer(t(language, "petition_not_your_scope"), show_alert=True)
        return END
    await query.answer()
    petition, count = await context.petitions.publish_new(query.from_user.id, _plan(draft))
    link = share_link(context.bot.username, petition.id)
    text = t(language, "petition_published", id=petition.id, count=count, link=link)
    await edit(update, context, text)
    return END


async def ask_publish_time(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    if query is None:
        return END
    await query.answer()
    language = await context.language_of(query.from_user)
    zone = await context.cities.zone_of(draft_of(context).city_id)
    await edit(update, context, t(language, "newpetition_publish_when", zone=zone.key))
    return PUBLISH_AT


async def take_publish_time(update: Update, context: MusterContext) -> int:
    """A time in the petition's city (UTC for every city at once) to announce it at."""
    draft, user = draft_of(context), update.effective_user
    if user is None or not await _may_reach(context, user.id, draft.city_id):
        await reply(update, context, "petition_not_your_scope")
        return END
    zone = await context.cities.zone_of(draft.city_id)
    moment = await read_local_time(update, context, zone)
    if moment is None:
        return PUBLISH_AT
    petition = await context.petitions.schedule_new(user.id, _plan(draft), moment.timestamp)
    language = await context.language_of(user)
    when = show(moment.utc, zone, language)
    await reply(update, context, "petition_publish_scheduled", id=petition.id, when=when)
    return END


def _plan(draft: PetitionDraft) -> PetitionPlan:
    return PetitionPlan(
        draft.city_id, draft.title, draft.demand, draft.target, draft.goal, draft.collect_names
    )


async def _may_reach(context: MusterContext, user_id: int, city_id: int | None) -> bool:
    return await context.services.reach.may_reach(user_id, city_id)


# --- signing --------------------------------------------------------------------------------


async def sign(update: Update, context: MusterContext) -> None:
    """✍️ Sign: one signature per person, however often pressed; the card then says Signed ✅
    with the count as it is now. A forged press, a closed petition or one for a city the
    person does not follow records nothing."""
    query = update.callback_query
    if query is None or not await signed_up(update, context):
        return
    language = await context.language_of(query.from_user)
    signed = await context.petitions.sign(query.from_user.id, SIGN.number(query.data) or 0)
    petition = signed.petition
    if petition is None:
        await query.answer(t(language, "petition_unknown"), show_alert=True)
    elif signed.outcome is Signing.CLOSED:
        await _refuse_closed(update, context, petition, language)
    elif signed.outcome is Signing.NOT_YET:
        await query.answer(t(language, "petition_not_yet"), show_alert=True)
    elif signed.outcome is Signing.OUTSIDE:
        city = await context.cities.get(petition.city_id or 0)
        name = city.name if city else "?"
        await query.answer(t(language, "petition_not_your_city", city=name), show_alert=True)
    else:
        fresh = signed.outcome is Signing.SIGNED
        key = "petition_signed_thanks" if fresh else "petition_already_signed"
        await query.answer(t(language, key))
        hears = not fresh and await context.petitions.follows_up(query.from_user.id, petition)
        view = context.petitions.card(petition, language, signed=True, follow_up=hears)
        await edit(update, context, view.text, view.markup)
        if fresh and petition.collect_names:
            await reply(update, context, "ask_name", target=petition.target)


async def follow_up(update: Update, context: MusterContext) -> None:
    """🔔 Tell me how it goes (or stop): one message when the goal is reached."""
    query = update.callback_query
    values = FOLLOW_UP.parse(query.data if query else None)
    if query is None or values is None:
        if query is not None:
            await query.answer()
        return
    language = await context.language_of(query.from_user)
    petition = await context.petitions.get(int(values[0]))
    wanted = values[1] == "yes"
    if petition is not None and petition.signatures >= petition.goal:
        await query.answer(t(language, "petition_goal_already"), show_alert=True)
        await edit_markup(update, context, sign_markup(petition, language, signed=True))
        return
    if petition is None or not await context.petitions.follow_up(
        query.from_user.id, petition.id, wanted
    ):
        await query.answer(t(language, "petition_sign_first"), show_alert=True)
        return
    await query.answer(t(language, "follow_up_on" if wanted else "follow_up_off"))
    markup = sign_markup(petition, language, signed=True, follow_up=wanted)
    await edit_markup(update, context, markup)


async def _refuse_closed(
    update: Update, context: MusterContext, petition: Petition, language: str
) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer(t(language, "petition_closed"), show_alert=True)
    await edit_markup(update, context, sign_markup(petition, language, signed=False))


async def show_linked_petition(update: Update, context: MusterContext, petition_id: int) -> None:
    """/start petition-<id>: the card with its Sign button, or a clear word that it is
    unknown, not yet published or closed."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    petition = await context.petitions.get(petition_id)
    if petition is None:
        await reply(update, context, "petition_unknown")
        return
    if petition.state is PetitionState.CLOSED:
        await reply(update, context, "petition_closed")
        return
    if not petition.announced:
        await reply(update, context, "petition_not_yet")
        return
    language = await context.language_of(user)
    signed = await context.petitions.has_signed(user.id, petition)
    view = context.petitions.card(petition, language, signed=signed)
    await message.reply_text(view.text, reply_markup=view.markup)


async def take_name(update: Update, context: MusterContext) -> None:
    """A plain message right after signing a petition that collects names is the name, shown
    back as it will be printed. Any other plain message gets the pointer to /help."""
    user = update.effective_user
    message = update.effective_message
    petition = await context.petitions.asking_name(user.id) if user else None
    if user is None or message is None or petition is None or not message.text:
        await not_understood(update, context)
        return
    kept = await context.petitions.name(user.id, petition, message.text)
    if kept is None:
        await reply(update, context, "name_skipped", title=petition.title)
        return
    await reply(update, context, "name_kept", name=kept, target=petition.target)


async def skip_name(update: Update, context: MusterContext) -> None:
    """/skip while a name is asked: the signature counts, as anonymous."""
    user = update.effective_user
    petition = await context.petitions.asking_name(user.id) if user else None
    if user is None or petition is None:
        await unknown_command(update, context)
        return
    await context.petitions.name(user.id, petition, None)
    await reply(update, context, "name_skipped", title=petition.title)


# --- /mysignatures --------------------------------------------------------------------------


async def my_signatures(update: Update, context: MusterContext) -> None:
    """What the person signed, each with a button to withdraw the signature."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    signed = await context.petitions.signed_by(user.id)
    if not signed:
        await reply(update, context, "mysignatures_none")
        return
    language = await context.language_of(user)
    for petition in signed[:SHOWN]:
        text = t(language, "mysignature_line", id=petition.id, title=petition.title)
        label = t(language, "button_withdraw_signature")
        button = InlineKeyboardButton(label, callback_data=WITHDRAW.data(petition.id))
        await message.reply_text(text, reply_markup=InlineKeyboardMarkup([[button]]))


async def withdraw(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    if query is None:
        return
    petition = await context.petitions.get(WITHDRAW.number(query.data) or 0)
    language = await context.language_of(query.from_user)
    if petition is None:
        await query.answer(t(language, "petition_unknown"), show_alert=True)
        return
    if petition.state is not PetitionState.OPEN:
        # Its count may have been handed over already: it stays as it was delivered.
        await query.answer(t(language, "petition_closed"), show_alert=True)
        return
    withdrawn = await context.petitions.withdraw(query.from_user.id, petition.id)
    await query.answer()
    key = "signature_withdrawn" if withdrawn else "signature_not_there"
    await edit(update, context, t(language, key, title=petition.title))


# --- /petitions -----------------------------------------------------------------------------


async def list_petitions(update: Update, context: MusterContext) -> None:
    """Open petitions in the organizer's reach: the count against the goal, by city, and in
    the last day; each with Close. Counts only: who signed is nobody's business here."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or await context.reach(user) is None:
        await unknown_command(update, context)
        return
    petitions = await context.petitions.open_for(user.id)
    if not petitions:
        await reply(update, context, "petitions_none")
        return
    language = await context.language_of(user)
    names = await context.cities.names()
    for petition in petitions[:SHOWN]:
        tally = await context.petitions.tally(petition)
        cities = "\n".join(
            t(
                language,
                "petition_city_line",
                city=_city_name(names, city_id, language),
                count=count,
            )
            for city_id, count in sorted(tally.by_city.items(), key=lambda item: -item[1])
        )
        text = t(
            language,
            "petition_summary",
            id=petition.id,
            title=petition.title,
            count=tally.total,
            goal=petition.goal,
            percent=tally.total * 100 // petition.goal,
            day=tally.last_day,
        )
        if cities:
            text += "\n" + cities
        if not petition.announced and petition.publish_at is not None:
            zone = await context.cities.zone_of(petition.city_id)
            when = show(petition.publish_at, zone, language)
            text += "\n" + t(language, "petition_scheduled_for", when=when)
        close = InlineKeyboardButton(
            t(language, "button_close_petition"),
            callback_data=PETITION_ASK_CLOSE.data(petition.id),
        )
        export = InlineKeyboardButton(
            t(language, "button_export_petition"), callback_data=PETITION_EXPORT.data(petition.id)
        )
        await message.reply_text(text, reply_markup=InlineKeyboardMarkup([[close, export]]))


def _city_name(names: dict[int, str], city_id: int | None, language: str) -> str:
    """Signers of an every-city petition who follow no one city count apart."""
    if city_id is None:
        return t(language, "petition_no_one_city")
    return names.get(city_id, "—")


async def _managed(
    update: Update, context: MusterContext, data: str | None, *, open_only: bool = True
) -> Petition | None:
    """The petition a Close or Export button names (open, for Close), if the presser may
    manage it."""
    query = update.callback_query
    if query is None:
        return None
    buttons = (PETITION_CLOSE, PETITION_ASK_CLOSE, PETITION_EXPORT)
    number = next((n for button in buttons if (n := button.number(data)) is not None), 0)
    petition = await context.petitions.get(number)
    language = await context.language_of(query.from_user)
    # Permission first: a press from anyone else learns nothing about the petition.
    if petition is None or not await context.petitions.may_manage(query.from_user.id, petition):
        await query.answer(t(language, "not_your_petition"), show_alert=True)
        return None
    if open_only and petition.state is not PetitionState.OPEN:
        await query.answer(t(language, "petition_closed"), show_alert=True)
        return None
    await query.answer()
    return petition


async def ask_to_close(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    petition = await _managed(update, context, query.data if query else None)
    if petition is None or query is None:
        return
    language = await context.language_of(query.from_user)
    label = t(language, "button_confirm_close_petition")
    button = InlineKeyboardButton(label, callback_data=PETITION_CLOSE.data(petition.id))
    markup = InlineKeyboardMarkup([[button]])
    await reply(
        update,
        context,
        "confirm_close_petition",
        markup=markup,
        id=petition.id,
        title=petition.title,
    )


async def close(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    petition = await _managed(update, context, query.data if query else None)
    if petition is None or query is None:
        return
    closed = await context.petitions.close(query.from_user.id, petition)
    language = await context.language_of(query.from_user)
    key = "petition_close_done" if closed else "petition_closed"
    await edit(update, context, t(language, key, id=petition.id))


async def export(update: Update, context: MusterContext) -> None:
    """The counts as a CSV, then the petition as a PDF to print for delivery day, in the
    organizer's chat. Counts and the names signers gave, never who signed. Audited."""
    query = update.callback_query
    petition = await _managed(update, context, query.data if query else None, open_only=False)
    if petition is None or query is None or query.message is None:
        return
    chat_id, actor = query.message.chat.id, query.from_user.id
    language = await context.language_of(query.from_user)
    key = (chat_id, petition.id)
    if context.printer.busy_with(key):  # a second press while the first is drawn
        await context.bot.send_message(chat_id, t(language, "pdf_busy", id=petition.id))
        return
    delivery = await context.petitions.export(actor, petition)
    names = await context.cities.names()
    day = datetime.fromtimestamp(context.clock.now(), UTC).date()
    await _send_csv(context, chat_id, petition, delivery.tally, names, language, day)
    count = delivery.tally.total
    await context.bot.send_message(
        chat_id, t(language, "pdf_preparing", id=petition.id, count=count)
    )
    sheet = sheet_of(petition, delivery, names, language, day)
    signers = delivery.signers or []
    context.printer.start(key, _send_pdf(context, chat_id, actor, petition, sheet, signers))


async def _send_pdf(
    context: MusterContext,
    chat_id: int,
    actor: int,
    petition: Petition,
    sheet: Sheet,
    signers: list[Signer],
) -> None:
    """Draws the PDF in a worker process, then sends it: a quarter of a million names take
    seconds, and the organizer's chat is answered meanwhile."""
    language = sheet.language
    try:
        pdf = await context.printer.draw(petition_pdf, sheet, signers)
    except PrintFailed:
        await context.bot.send_message(chat_id, t(language, "pdf_failed", id=petition.id))
        return
    # In the audit log as the names leave the bot: even if the upload fails, they may
    # have reached Telegram.
    await context.petitions.printed(actor, petition)
    caption = _caption(language, "pdf_caption", petition, sheet.total, sheet.day)
    document = InputFile(pdf, filename=f"petition-{petition.id}-{sheet.day.isoformat()}.pdf")
    try:
        # A few megabytes for a quarter of a million names: more than the default 5 s.
        await context.bot.send_document(chat_id, document, caption=caption, write_timeout=120)
    except TelegramError as error:
        log.warning("petition %s: the PDF was not delivered: %s", petition.id, error)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat_id, t(language, "pdf_failed", id=petition.id))


async def _send_csv(
    context: MusterContext,
    chat_id: int,
    petition: Petition,
    tally: Tally,
    city_names: dict[int, str],
    language: str,
    day: date,
) -> None:
    names: dict[int | None, str] = {None: t(language, "petition_no_one_city")}
    for city_id, name in city_names.items():
        names[city_id] = name
    csv = counts_csv(tally, names, language)
    document = InputFile(csv, filename=f"petition-{petition.id}-{day.isoformat()}.csv")
    caption = _caption(language, "petition_export_caption", petition, tally.total, day)
    await context.bot.send_document(chat_id, document, caption=caption)


def _caption(language: str, key: str, petition: Petition, count: int, day: date) -> str:
    return t(
        language,
        key,
        id=petition.id,
        title=clipped(petition.title, 200),
        target=clipped(petition.target, 200),
        count=count,
        day=day.isoformat(),
    )


def conversation() -> ConversationHandler[MusterContext]:
    """/newpetition."""
    typed = PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND
    return persistent(
        KIND,
        [CommandHandler("newpetition", step(KIND, begin, opens=True), filters=PRIVATE_MESSAGE)],
        {
            SCOPE: [CallbackQueryHandler(step(KIND, choose_scope), pattern=PETITION_SCOPE.pattern)],
            TITLE: [MessageHandler(typed, step(KIND, take_title))],
            DEMAND: [MessageHandler(typed, step(KIND, take_demand))],
            TARGET: [MessageHandler(typed, step(KIND, take_target))],
            GOAL: [MessageHandler(typed, step(KIND, take_goal))],
            NAMES: [CallbackQueryHandler(step(KIND, choose_names), pattern=PETITION_NAMES.pattern)],
            CONFIRM: [
                CallbackQueryHandler(step(KIND, publish_now), pattern=PETITION_PUBLISH.pattern),
                CallbackQueryHandler(
                    step(KIND, ask_publish_time), pattern=PETITION_PUBLISH_LATER.pattern
                ),
            ],
            PUBLISH_AT: [MessageHandler(typed, step(KIND, take_publish_time))],
        },
        abort=PETITION_ABORT,
    )


def name_handler() -> BaseHandler[Update, MusterContext, None]:
    """Plain text: a name asked for, or else the pointer to /help (registered in the place
    of fallback's plain-text reply, which this one gives when no name is asked)."""
    return MessageHandler(PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, take_name)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    """Everything but the conversation, which app.py registers ahead of all handlers."""
    return [
        CommandHandler("mysignatures", my_signatures, filters=PRIVATE_MESSAGE),
        CommandHandler("petitions", list_petitions, filters=PRIVATE_MESSAGE),
        CommandHandler("skip", skip_name, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(sign, pattern=SIGN.pattern),
        CallbackQueryHandler(withdraw, pattern=WITHDRAW.pattern),
        CallbackQueryHandler(follow_up, pattern=FOLLOW_UP.pattern),
        CallbackQueryHandler(ask_to_close, pattern=PETITION_ASK_CLOSE.pattern),
        CallbackQueryHandler(close, pattern=PETITION_CLOSE.pattern),
        CallbackQueryHandler(export, pattern=PETITION_EXPORT.pattern),
    ]
