"""English texts. Values in {braces} are escaped when inserted."""

TEXTS: dict[str, str] = {
    # Sign-up
    "welcome_new": (
        "👋 Welcome to <b>Muster</b>! I'll tell you when and where to show up.\n\n"
        "Tap the cities you want to follow:"
    ),
    "welcome_back": "Welcome back! You follow: {cities}.\nChange them with /cities.",
    "welcome_back_none": "Welcome back! You don't follow any city yet. Pick some with /cities.",
    "resumed": "Welcome back: your alerts are on again.",
    "followed_from_link": "👋 Welcome to <b>Muster</b>! You now follow <b>{city}</b>.",
    "no_cities_yet": "No cities have been added yet. Check back soon.",
    "pick_cities": "Tap a city to follow or unfollow it:",
    # Cities
    "usage_subscribe": "Tell me which city, like <code>/subscribe seattle</code>.\n"
    "Known cities: {cities}",
    "usage_unsubscribe": "Tell me which city, like <code>/unsubscribe seattle</code>.\n"
    "Known cities: {cities}",
    "unknown_city": "I don't know the city “{query}”. Known cities: {cities}",
    "subscribed": "✅ You now follow <b>{city}</b>.",
    "already_following": "You already follow <b>{city}</b>.",
    "unsubscribed": "You no longer follow <b>{city}</b>.",
    "not_following": "You don't follow <b>{city}</b>.",
    "my_cities": "You follow: {cities}.",
    "my_cities_none": "You don't follow any city yet. Pick some with /cities.",
    "button_page_previous": "◀ Previous",
    "button_page_next": "Next ▶",
    # Account
    "pick_language": "Choose your language:",
    "language_set": "Done: I'll write to you in English.",
    "stopped": "⏸ Paused. You won't get any messages from me until you send /start.",
    "erase_confirm": (
        "This erases everything Muster knows about you: your language, your cities and your "
        "answers. It cannot be undone. Erase it all?"
    ),
    "button_erase_yes": "Yes, erase everything",
    "button_erase_no": "No, keep it",
    "erased": "🗑 Done. Everything about you is erased. Send /start if you ever want to come back.",
    "erase_cancelled": "Nothing was erased.",
    "erase_nothing": "There was nothing to erase: I hold no data about you.",
    # Help
    "help_supporter": (
        "<b>Muster</b> tells you when and where to show up.\n\n"
        "/start: sign up or resume alerts\n"
        "/cities: choose the cities you follow\n"
        "/actions: upcoming actions in your cities\n"
        "/subscribe <i>city</i>: follow a city\n"
        "/unsubscribe <i>city</i>: stop following a city\n"
        "/mycities: the cities you follow\n"
        "/language: English or Spanish\n"
        "/stop: pause all messages\n"
        "/deleteme: erase everything about you\n"
        "/myid: your Telegram user id\n"
        "/help: this list"
    ),
    "help_organizer": (
        "\n\n<b>Organizers</b>\n"
        "/newaction: announce an action and collect RSVPs\n"
        "/myactions: your upcoming actions, with headcounts\n"
        "/rsvps <i>id</i>: the headcount of an action\n"
        "/broadcast: send an alert to a city's followers\n"
        "/broadcasts: recent broadcasts and their counts\n"
        "/scheduled: scheduled broadcasts\n"
        "/cancel: stop what you are composing"
    ),
    "help_admin": (
        "\n\n<b>Admin</b>\n"
        "/promote <i>user_id city…|all</i>: make someone an organizer\n"
        "/demote <i>user_id</i>: remove an organizer\n"
        "/organizers: who organizes where\n"
        "/addcity <i>slug timezone name</i>: add a city, "
        "like <code>/addcity seattle America/Los_Angeles Seattle</code>"
    ),
    "unknown_command": "I don't know that command. Send /help to see what I can do.",
    "not_understood": "I only understand commands. Send /help to see them.",
    "error": "Sorry, something went wrong on my side. Please try again.",
    # Admin: cities
    "usage_addcity": (
        "Usage: <code>/addcity slug timezone name</code>, "
        "like <code>/addcity seattle America/Los_Angeles Seattle</code>. "
        "The slug is 2 to 32 lowercase letters, digits or dashes."
    ),
    "bad_slug": "“{slug}” is not a valid slug: use 2 to 32 lowercase letters, digits or dashes.",
    "bad_timezone": "“{timezone}” is not a time zone I know. Use an IANA name like "
    "<code>America/New_York</code>.",
    "duplicate_city": "A city with the slug <code>{slug}</code> exists already.",
    "city_added": "Added <b>{name}</b> (<code>{slug}</code>, {timezone}).",
    # Roles
    "usage_promote": (
        "Usage: <code>/promote user_id city-slug…</code> or <code>/promote user_id all</code>. "
        "Use the person's numeric Telegram user id (they can see it with /myid)."
    ),
    "usage_demote": "Usage: <code>/demote user_id</code>, with the numeric Telegram user id.",
    "not_started": "User <code>{user_id}</code> has not started the bot. Ask them to send /start "
    "first.",
    "unknown_slugs": "Unknown cities: {slugs}. Known slugs: {cities}",
    "promoted": "<code>{user_id}</code> is now an organizer for: {cities}.",
    "you_were_promoted": "You are now an organizer for: {cities}. Send /broadcast to alert "
    "your supporters.",
    "demoted": "<code>{user_id}</code> is no longer an organizer.",
    "not_an_organizer": "<code>{user_id}</code> was not an organizer.",
    "no_organizers": "There are no organizers yet. Name one with /promote.",
    "organizers": "<b>Organizers</b>\n{lines}",
    "organizer_line": "<code>{user_id}</code>: {cities}",
    "all_cities": "all cities",
    "your_id": "Your Telegram user id is <code>{user_id}</code>.",
    # Broadcasts
    "broadcast_pick_city": "📣 Who should get this broadcast? Pick the followers of a city:",
    "all_cities_button": "🌎 All cities",
    "button_abort": "Cancel",
    "no_city_to_reach": "There is no city you may broadcast to yet.",
    "not_your_city": "You may not broadcast to that city.",
    "broadcast_write": (
        "Now send the message for <b>{city}</b>: text with formatting (bold, italic, links) or "
        "a photo with a caption. /cancel stops."
    ),
    "button_add_version": "🌐 Add a language",
    "broadcast_pick_language": (
        "🌐 Which language is the next version in? Everyone gets the version in their own "
        "language, and the first one you wrote if there is none."
    ),
    "broadcast_write_version": "Now send the message in <b>{language}</b>, as text.",
    "broadcast_version_text": "Please send this version as text. /cancel stops.",
    "broadcast_versions": "🌐 Also written in: {languages}.",
    "broadcast_text_or_photo": "Please send text or one photo with a caption. /cancel stops.",
    "broadcast_too_long": "That is too long: Telegram allows at most {limit} characters here. "
    "Please shorten it and send it again.",
    "button_send_now": "📣 Send now",
    "button_schedule": "🕒 Schedule",
    "broadcast_confirm": "☝️ This is exactly what {count} supporters will get. Send it?",
    "broadcast_started": "Broadcast #{id} is on its way to {count} supporters.",
    "broadcast_when": (
        "When? Send the local time as <code>YYYY-MM-DD HH:MM</code> ({zone}), "
        "like <code>2026-12-05 18:00</code>."
    ),
    "time_unreadable": "I can't read that time. Use <code>YYYY-MM-DD HH:MM</code> ({zone}), "
    "like <code>2026-12-05 18:00</code>.",
    "time_nonexistent": "That time does not exist in {zone}: the clocks skip it when daylight "
    "saving time starts. Please pick another time.",
    "time_past": "That time has already passed in {zone}. Please pick a time in the future.",
    "broadcast_scheduled": "🕒 Broadcast #{id} is scheduled for {when}. /scheduled lists it.",
    "broadcast_scheduled_ambiguous": (
        "🕒 Broadcast #{id} is scheduled for {when}. That time happens twice when the clocks go "
        "back; I took the first one. /scheduled lists it."
    ),
    "broadcast_aborted": "Cancelled: nothing was sent.",
    "not_your_broadcast": "That broadcast is not yours to manage.",
    "broadcast_stopping": "Stopping: nobody else will get it.",
    "broadcast_not_running": "That broadcast is not running any more.",
    "button_stop_broadcast": "⏹ Cancel the rest",
    "broadcast_progress": (
        "📣 Broadcast #{id}: sent {sent} of {total} ({percent}%)\n"
        "Failed: {failed} · {rate} msg/s · about {eta} left"
    ),
    "broadcast_report": (
        "✅ Broadcast #{id} delivered to {sent} of {total}.\n"
        "Failed: {failed} (blocked the bot: {blocked})."
    ),
    "broadcast_cancelled_report": (
        "⏹ Broadcast #{id} cancelled: sent to {sent} of {total}, {cancelled} not sent.\n"
        "Failed: {failed} (blocked the bot: {blocked})."
    ),
    "broadcast_missed": (
        "⚠️ Scheduled broadcast #{id} was not sent: the bot was down at its time, and it is "
        "too late now. Send it again with /broadcast if it still matters."
    ),
    "broadcast_withdrawn": (
        "⚠️ Scheduled broadcast #{id} for {city} was not sent and is cancelled: you may no "
        "longer send there."
    ),
    "broadcasts": "<b>Recent broadcasts</b>\n{lines}",
    "broadcast_line": "#{id} · {city} · {state} · sent {sent}/{total} · failed {failed}",
    "no_broadcasts": "No broadcasts yet.",
    "state_scheduled": "scheduled",
    "state_sending": "sending",
    "state_done": "done",
    "state_cancelled": "cancelled",
    "state_missed": "missed",
    "scheduled_line": "🕒 #{id} · {city} · {when}\n{preview}",
    "button_unschedule": "Cancel this broadcast",
    "no_scheduled": "Nothing is scheduled.",
    "scheduled_cancelled": "Scheduled broadcast #{id} is cancelled.",
    "scheduled_gone": "Broadcast #{id} is no longer scheduled.",
    # Actions
    "action_card": "📢 <b>{title}</b>\n🗓 {when}\n📍 {place}",
    "action_details": "{details}",
    "action_share": "🔗 Invite others: {link}",
    "your_answer_yes": "Your answer: ✅ I'll be there",
    "your_answer_no": "Your answer: ❌ Can't make it",
    "button_yes": "I'll be there",
    "button_no": "Can't make it",
    "button_action_over": "This action is over",
    "button_action_cancelled": "This action was cancelled",
    "rsvp_yes_thanks": "See you there!",
    "rsvp_no_thanks": "Thanks for letting us know.",
    "action_over": "This action has already started: answers are closed.",
    "action_called_off": "This action was cancelled: answers are closed.",
    "reminder": "⏰ Reminder: <b>{title}</b> is {when}, at {place}.",
    "action_moved": "🕒 Change of time: <b>{title}</b> now starts {when}.",
    "action_relocated": "📍 Change of place: <b>{title}</b> is now at {place}.",
    "action_cancelled": "❌ Cancelled: <b>{title}</b> will not take place.",
    "start_first": "You are not signed up (or you erased your data). Send /start to sign up.",
    "action_withdrawn": "⚠️ Your action “{title}” was not announced: you no longer organize "
    "in its city.",
    "action_missed": "⚠️ Your action “{title}” was not announced: the bot was down at its "
    "publish time and it is too late now.",
    "actions_none": "No upcoming actions in your cities. Follow more with /cities.",
    "action_unknown": "That action doesn't exist or has already taken place.",
    "newaction_pick_city": "📢 New action. Which city is it in?",
    "newaction_title": "What is it called? (say, “Petition delivery at Amazon HQ”)",
    "newaction_when": "When does it start? Send the local time as <code>YYYY-MM-DD HH:MM</code> "
    "({zone}).",
    "newaction_place": "Where? Send the place as people should read it.",
    "newaction_details": "Any details (what to bring, who to look for)? Send them, or /skip.",
    "too_long_for": "Please keep it under {limit} characters.",
    "newaction_confirm": "☝️ This is how {count} followers will see it. Publish?",
    "button_publish_now": "📢 Publish now",
    "button_publish_at": "🕒 Publish at…",
    "newaction_publish_when": "When should it be announced? Send the local time as "
    "<code>YYYY-MM-DD HH:MM</code> ({zone}), before the action starts.",
    "publish_after_start": "That is not before the action starts. Please pick an earlier time.",
    "start_after_publish": "The action is announced {when}; the new start must come after that. "
    "Please pick a later time.",
    "newaction_start_passed": "The start time passed while this waited. Send a new start as "
    "<code>YYYY-MM-DD HH:MM</code> ({zone}).",
    "action_published": "Action #{id} is being announced to {count} followers.\nShare link: {link}",
    "action_publish_scheduled": "Action #{id} will be announced {when}.",
    "time_ambiguous_note": "That time happens twice when the clocks go back; I took the first.",
    "myactions_none": "You have no upcoming actions. Create one with /newaction.",
    "myaction_line": "#{id} <b>{title}</b> · {city}\n🗓 {when}\n✅ {yes} · ❌ {no}",
    "button_change_time": "🕒 Change time",
    "button_change_place": "📍 Change place",
    "button_cancel_action": "❌ Cancel action",
    "button_confirm_cancel_action": "Yes, cancel it and tell everyone",
    "confirm_cancel_action": "Cancel #{id} “{title}”? Everyone who said yes will be told.",
    "ask_new_time": "New start time for “{title}”? Send <code>YYYY-MM-DD HH:MM</code> ({zone}).",
    "ask_new_place": "New place for “{title}”?",
    "action_time_changed": "Moved to {when}. Everyone who said yes is being told.",
    "action_place_changed": "Moved to {place}. Everyone who said yes is being told.",
    "action_cancel_done": "#{id} is cancelled. Everyone who said yes is being told.",
    "not_your_action": "That action is not yours to manage.",
    "usage_rsvps": "Usage: <code>/rsvps action_id</code>, like <code>/rsvps 12</code>.",
    "rsvps": "#{id} <b>{title}</b>\n✅ {yes} will be there · ❌ {no} can't make it\n"
    "Last answer: {last}",
    "no_answers_yet": "none yet",
    # Command menu descriptions
    "command_actions": "Upcoming actions in your cities",
    "command_newaction": "Announce an action (organizers)",
    "command_myactions": "Your upcoming actions (organizers)",
    "command_rsvps": "Headcount of an action (organizers)",
    "command_myid": "Your Telegram user id",
    "command_broadcast": "Send an alert to a city (organizers)",
    "command_broadcasts": "Recent broadcasts (organizers)",
    "command_scheduled": "Scheduled broadcasts (organizers)",
    "command_cancel": "Stop what you are composing",
    "command_promote": "Make someone an organizer (admin)",
    "command_demote": "Remove an organizer (admin)",
    "command_organizers": "Who organizes where (admin)",
    "command_start": "Sign up or resume alerts",
    "command_cities": "Choose the cities you follow",
    "command_subscribe": "Follow a city",
    "command_unsubscribe": "Stop following a city",
    "command_mycities": "The cities you follow",
    "command_language": "English or Spanish",
    "command_stop": "Pause all messages",
    "command_deleteme": "Erase everything about you",
    "command_help": "What I can do",
    "command_addcity": "Add a city (admin)",
}
