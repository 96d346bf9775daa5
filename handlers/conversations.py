"""What /broadcast, /newaction and /newpetition share: how each conversation is built,
steps whose draft is written to the database before they reply, leaving a conversation for
another command, and abandoning it.

Conversations sit in handler groups ahead of every other handler (see bot/app.py). A step
ends the update's handling with ApplicationHandlerStop, so nothing after it sees the same
message; leaving for another command ends the conversation without stopping, so that the
command then reaches the handler that takes it outside any conversation (python-telegram-bot's
documented way of letting one update through to later groups)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import MusterContext
from bot.i18n import t
from domain.drafts import ActionDraft, BroadcastDraft, PetitionDraft
from handlers.common import PRIVATE_MESSAGE, edit, reply
from views.buttons import OPENS_CONVERSATION, Button, any_of

END = ConversationHandler.END
Step = Callable[[Update, MusterContext], Coroutine[Any, Any, int]]
# Where each kind of draft waits in user_data between steps, and its type.
DRAFTS: dict[str, tuple[str, type[BroadcastDraft | ActionDraft | PetitionDraft]]] = {
    "broadcast": ("draft", BroadcastDraft),
    "action": ("action_draft", ActionDraft),
    "petition": ("petition_draft", PetitionDraft),
}


def step(kind: str, callback: Step, *, opens: bool = False) -> Step:
    """A step of a conversation: its draft comes from the database if this process has not
    seen it (after a restart), and goes back there, with the step reached, as soon as the
    step has answered; a step that ends the conversation drops the draft. A step that does
    not open the conversation (opens=False) and finds no draft (it was sent, erased with
    /deleteme or dropped after a day) ends it and says so, rather than going on with an
    empty one, whose defaults would mean something (every city, for a broadcast)."""

    async def run(update: Update, context: MusterContext) -> int:
        taken = await _taken_already(update, context, kind)
        if taken is not None:
            raise ApplicationHandlerStop(taken)
        if not await _restore(update, context, kind) and not opens:
            await _gone(update, context, kind)
            raise ApplicationHandlerStop(END)
        state = await callback(update, context)
        await _keep(update, context, kind, state)
        raise ApplicationHandlerStop(state)

    run.__name__ = run.__qualname__ = callback.__name__
    run.__doc__ = callback.__doc__
    return run


async def _taken_already(update: Update, context: MusterContext, kind: str) -> int | None:
    """The draft's step, if this update already took it there: a process killed after
    handling an update, before the inbox let go of it, hands it over again after the
    restart, and the title typed must not be read as the answer to "when?"."""
    user = update.effective_user
    if user is None:
        return None
    taken = await context.drafts.taken_by(user.id, kind)
    if taken is None or update.update_id > taken[1]:
        return None
    return taken[0]


async def _restore(update: Update, context: MusterContext, kind: str) -> bool:
    """Whether the person has a draft of this kind, loading it after a restart."""
    user, data = update.effective_user, context.user_data
    key, draft_type = DRAFTS[kind]
    if user is None or data is None:
        return False
    if isinstance(data.get(key), draft_type):
        return True
    draft = await context.drafts.load(user.id, kind)
    if draft is None:
        return False
    data[key] = draft
    return True


async def _gone(update: Update, context: MusterContext, kind: str) -> None:
    await context.drafts.drop(update.effective_user.id if update.effective_user else 0, kind)
    query = update.callback_query
    if query is not None:
        language = await context.language_of(query.from_user)
        await query.answer(t(language, "draft_gone"), show_alert=True)
    else:
        await reply(update, context, "draft_gone")


async def _keep(update: Update, context: MusterContext, kind: str, state: int) -> None:
    user, data = update.effective_user, context.user_data
    if user is None or data is None:
        return
    key, draft_type = DRAFTS[kind]
    draft = data.get(key)
    if state == END or not isinstance(draft, draft_type):
        data.pop(key, None)
        await context.drafts.drop(user.id, kind)
        return
    await context.drafts.save(user.id, draft, state, update.update_id)


def leaving(kind: str) -> Step:
    """Another command, or a button that opens a conversation of its own, in the middle of
    this one: the draft is dropped and the update goes on to the handler that takes it."""

    async def leave(update: Update, context: MusterContext) -> int:
        await _keep(update, context, kind, END)
        return END

    return leave


def abandoning(kind: str) -> Step:
    """/cancel or the Cancel button inside a conversation: the draft goes, nothing is sent."""

    async def abandon(update: Update, context: MusterContext) -> int:
        query = update.callback_query
        if query is not None:
            await query.answer()
            language = await context.language_of(query.from_user)
            await edit(update, context, t(language, "broadcast_aborted"))
        else:
            await reply(update, context, "broadcast_aborted")
        return END

    return step(kind, abandon, opens=True)


def persistent(
    kind: str,
    entry_points: Sequence[BaseHandler[Update, MusterContext, object]],
    states: dict[object, list[BaseHandler[Update, MusterContext, object]]],
    abort: Button,
) -> ConversationHandler[MusterContext]:
    """A persistent conversation of this kind: each step's draft and state are in the
    database, so a restart in the middle loses nothing (bot/persistence.py). /cancel and the
    abort button abandon it; another command, or a button that opens a conversation of its
    own, leaves it for that."""
    give_up = abandoning(kind)
    with warnings.catch_warnings():
        # python-telegram-bot warns that presses are tracked per chat, not per message: that
        # is the intent, since one person composes one thing of a kind at a time.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=list(entry_points),
            states=states,
            fallbacks=[
                CommandHandler("cancel", give_up, filters=PRIVATE_MESSAGE),
                CallbackQueryHandler(give_up, pattern=abort.pattern),
                MessageHandler(PRIVATE_MESSAGE & filters.COMMAND, leaving(kind)),
                CallbackQueryHandler(leaving(kind), pattern=any_of(*OPENS_CONVERSATION)),
            ],
            conversation_timeout=30 * 60,
            allow_reentry=True,
            name=kind,
            persistent=True,
        )
