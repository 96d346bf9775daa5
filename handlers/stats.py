"""/stats: the numbers and charts of an organizer's cities; an admin's take in every city and
all supporters together. /stats <city> narrows them to one city."""

from __future__ import annotations

import asyncio
import contextlib

from telegram import InputFile, Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import clipped
from bot.printing import PrintFailed
from domain.stats import Refusal
from handlers.common import PRIVATE_MESSAGE, argument_text, reply
from handlers.fallback import unknown_command
from views.chartset import Drawn
from views.figures import Scope
from views.stats import caption, messages, not_drawn

REFUSALS = {
    Refusal.NO_CITY: "stats_no_city",
    Refusal.UNKNOWN_CITY: "stats_unknown_city",
    Refusal.NOT_YOURS: "stats_not_your_city",
}


async def stats(update: Update, context: MusterContext) -> None:
    """The text first, then the charts: they are drawn in a child process while the text's
    figures are counted, so both are ready at about the same time."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    typed = argument_text(context)
    scope = await context.insight.scope(user.id, typed or None)
    if scope is None:  # not an organizer: the command stays hidden
        await unknown_command(update, context)
        return
    if isinstance(scope, Refusal):
        city = await context.cities.find(typed) if scope is Refusal.NOT_YOURS else None
        await reply(
            update, context, REFUSALS[scope], slug=clipped(typed), city=city.name if city else ""
        )
        return
    language = await context.language_of(user)
    charts = asyncio.create_task(context.insight.charts(scope, language), name="stats charts")
    try:
        for text in messages(await context.insight.report(scope), language):
            await message.reply_text(text)
    except BaseException:
        charts.cancel()
        with contextlib.suppress(asyncio.CancelledError, PrintFailed):
            await charts
        raise
    await _send_charts(update, context, message, scope, charts, language)


async def _send_charts(
    update: Update,
    context: MusterContext,
    message: Message,
    scope: Scope,
    charts: asyncio.Task[list[Drawn]],
    language: str,
) -> None:
    try:
        drawn = await charts
    except PrintFailed:
        await reply(update, context, "stats_charts_failed")
        return
    for chart in drawn:
        photo = InputFile(chart.png, filename=f"stats-{chart.chart.value}.png")
        await message.reply_photo(photo, caption=caption(chart, scope, language))
    note = not_drawn(drawn, scope, language)
    if note is not None:
        await message.reply_text(note)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [CommandHandler("stats", stats, filters=PRIVATE_MESSAGE)]
