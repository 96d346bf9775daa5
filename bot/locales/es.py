"""Spanish texts. Values in {braces} are escaped when inserted."""

TEXTS: dict[str, str] = {
    # Sign-up
    "welcome_new": (
        "👋 ¡Bienvenida/o a <b>Muster</b>! Te avisaré cuándo y dónde presentarte.\n\n"
        "Toca las ciudades que quieres seguir:"
    ),
    "welcome_back": "¡Hola de nuevo! Sigues: {cities}.\nCámbialas con /cities.",
    "welcome_back_none": "¡Hola de nuevo! Aún no sigues ninguna ciudad. Elige con /cities.",
    "resumed": "¡Hola de nuevo! Tus avisos están activos otra vez.",
    "followed_from_link": "👋 ¡Bienvenida/o a <b>Muster</b>! Ahora sigues <b>{city}</b>.",
    "no_cities_yet": "Todavía no hay ciudades. Vuelve pronto.",
    "pick_cities": "Toca una ciudad para seguirla o dejar de seguirla:",
    # Cities
    "usage_subscribe": "Dime qué ciudad, por ejemplo <code>/subscribe seattle</code>.\n"
    "Ciudades: {cities}",
    "usage_unsubscribe": "Dime qué ciudad, por ejemplo <code>/unsubscribe seattle</code>.\n"
    "Ciudades: {cities}",
    "unknown_city": "No conozco la ciudad «{query}». Ciudades: {cities}",
    "subscribed": "✅ Ahora sigues <b>{city}</b>.",
    "already_following": "Ya sigues <b>{city}</b>.",
    "unsubscribed": "Ya no sigues <b>{city}</b>.",
    "not_following": "No sigues <b>{city}</b>.",
    "my_cities": "Sigues: {cities}.",
    "my_cities_none": "Aún no sigues ninguna ciudad. Elige con /cities.",
    "button_page_previous": "◀ Anterior",
    "button_page_next": "Siguiente ▶",
    # Account
    "pick_language": "Elige tu idioma:",
    "language_set": "Listo: te escribiré en español.",
    "stopped": "⏸ En pausa. No recibirás mensajes míos hasta que envíes /start.",
    "erase_confirm": (
        "Esto borra todo lo que Muster sabe de ti: tu idioma, tus ciudades y tus respuestas. "
        "No se puede deshacer. ¿Borrarlo todo?"
    ),
    "button_erase_yes": "Sí, borrar todo",
    "button_erase_no": "No, conservarlo",
    "erased": "🗑 Hecho. Todo lo tuyo está borrado. Envía /start si algún día quieres volver.",
    "erase_cancelled": "No se borró nada.",
    "erase_nothing": "No había nada que borrar: no guardo datos tuyos.",
    # Help
    "help_supporter": (
        "<b>Muster</b> te avisa cuándo y dónde presentarte.\n\n"
        "/start: registrarte o reanudar avisos\n"
        "/cities: elegir las ciudades que sigues\n"
        "/actions: próximas acciones en tus ciudades\n"
        "/subscribe <i>ciudad</i>: seguir una ciudad\n"
        "/unsubscribe <i>ciudad</i>: dejar de seguir una ciudad\n"
        "/mycities: las ciudades que sigues\n"
        "/language: inglés o español\n"
        "/stop: pausar todos los mensajes\n"
        "/deleteme: borrar todo lo tuyo\n"
        "/myid: tu id de usuario de Telegram\n"
        "/help: esta lista"
    ),
    "help_organizer": (
        "\n\n<b>Organización</b>\n"
        "/newaction: anunciar una acción y recoger respuestas\n"
        "/myactions: tus próximas acciones, con asistencia\n"
        "/rsvps <i>id</i>: la asistencia a una acción\n"
        "/broadcast: enviar un aviso a los seguidores de una ciudad\n"
        "/broadcasts: avisos recientes y sus cifras\n"
        "/scheduled: avisos programados\n"
        "/cancel: dejar lo que estás redactando"
    ),
    "help_admin": (
        "\n\n<b>Administración</b>\n"
        "/promote <i>id_usuario ciudad…|all</i>: nombrar organizador\n"
        "/demote <i>id_usuario</i>: quitar a un organizador\n"
        "/organizers: quién organiza dónde\n"
        "/addcity <i>slug zona nombre</i>: añadir una ciudad, "
        "por ejemplo <code>/addcity seattle America/Los_Angeles Seattle</code>"
    ),
    "unknown_command": "No conozco ese comando. Envía /help para ver lo que puedo hacer.",
    "not_understood": "Solo entiendo comandos. Envía /help para verlos.",
    "error": "Lo siento, algo falló de mi lado. Inténtalo de nuevo.",
    # Admin: cities
    "usage_addcity": (
        "Uso: <code>/addcity slug zona nombre</code>, "
        "por ejemplo <code>/addcity seattle America/Los_Angeles Seattle</code>. "
        "El slug tiene de 2 a 32 letras minúsculas, dígitos o guiones."
    ),
    "bad_slug": (
        "«{slug}» no es un slug válido: usa de 2 a 32 letras minúsculas, dígitos o guiones."
    ),
    "bad_timezone": "No conozco la zona horaria «{timezone}». Usa un nombre IANA como "
    "<code>America/New_York</code>.",
    "duplicate_city": "Ya existe una ciudad con el slug <code>{slug}</code>.",
    "city_added": "Añadida <b>{name}</b> (<code>{slug}</code>, {timezone}).",
    # Roles
    "usage_promote": (
        "Uso: <code>/promote id_usuario slug-ciudad…</code> o "
        "<code>/promote id_usuario all</code>. "
        "Usa el id numérico de Telegram de la persona (lo ve con /myid)."
    ),
    "usage_demote": "Uso: <code>/demote id_usuario</code>, con el id numérico de Telegram.",
    "not_started": "El usuario <code>{user_id}</code> no ha iniciado el bot. Pídele que envíe "
    "/start primero.",
    "unknown_slugs": "Ciudades desconocidas: {slugs}. Slugs conocidos: {cities}",
    "promoted": "<code>{user_id}</code> ahora organiza en: {cities}.",
    "you_were_promoted": "Ahora organizas en: {cities}. Envía /broadcast para avisar a tu gente.",
    "demoted": "<code>{user_id}</code> ya no organiza.",
    "not_an_organizer": "<code>{user_id}</code> no organizaba.",
    "no_organizers": "Aún no hay organizadores. Nombra a alguien con /promote.",
    "organizers": "<b>Organizadores</b>\n{lines}",
    "organizer_line": "<code>{user_id}</code>: {cities}",
    "all_cities": "todas las ciudades",
    "your_id": "Tu id de usuario de Telegram es <code>{user_id}</code>.",
    # Broadcasts
    "broadcast_pick_city": "📣 ¿Quién recibe este aviso? Elige los seguidores de una ciudad:",
    "all_cities_button": "🌎 Todas las ciudades",
    "button_abort": "Cancelar",
    "no_city_to_reach": "Aún no hay ninguna ciudad a la que puedas enviar avisos.",
    "not_your_city": "No puedes enviar avisos a esa ciudad.",
    "broadcast_write": (
        "Ahora envía el mensaje para <b>{city}</b>: texto con formato (negrita, cursiva, "
        "enlaces) o una foto con pie. /cancel para salir."
    ),
    "button_add_version": "🌐 Añadir un idioma",
    "broadcast_pick_language": (
        "🌐 ¿En qué idioma es la siguiente versión? Cada persona recibe la versión en su "
        "idioma, y la primera que escribiste si no la hay."
    ),
    "broadcast_write_version": "Ahora envía el mensaje en <b>{language}</b>, como texto.",
    "broadcast_version_text": "Envía esta versión como texto. /cancel para salir.",
    "broadcast_versions": "🌐 También escrito en: {languages}.",
    "broadcast_text_or_photo": "Envía texto o una foto con pie. /cancel para salir.",
    "broadcast_too_long": "Es demasiado largo: Telegram permite como máximo {limit} caracteres "
    "aquí. Acórtalo y envíalo de nuevo.",
    "button_send_now": "📣 Enviar ahora",
    "button_schedule": "🕒 Programar",
    "broadcast_confirm": "☝️ Esto es exactamente lo que recibirán {count} personas. ¿Enviarlo?",
    "broadcast_started": "El aviso #{id} va en camino a {count} personas.",
    "broadcast_when": (
        "¿Cuándo? Envía la hora local como <code>AAAA-MM-DD HH:MM</code> ({zone}), "
        "por ejemplo <code>2026-12-05 18:00</code>."
    ),
    "time_unreadable": "No entiendo esa hora. Usa <code>AAAA-MM-DD HH:MM</code> ({zone}), "
    "por ejemplo <code>2026-12-05 18:00</code>.",
    "time_nonexistent": "Esa hora no existe en {zone}: el reloj la salta al empezar el horario "
    "de verano. Elige otra hora.",
    "time_past": "Esa hora ya pasó en {zone}. Elige una hora futura.",
    "broadcast_scheduled": "🕒 El aviso #{id} está programado para el {when}. /scheduled lo "
    "muestra.",
    "broadcast_scheduled_ambiguous": (
        "🕒 El aviso #{id} está programado para el {when}. Esa hora ocurre dos veces cuando se "
        "atrasa el reloj; tomé la primera. /scheduled lo muestra."
    ),
    "broadcast_aborted": "Cancelado: no se envió nada.",
    "not_your_broadcast": "No te corresponde gestionar ese aviso.",
    "broadcast_stopping": "Deteniendo: nadie más lo recibirá.",
    "broadcast_not_running": "Ese aviso ya no se está enviando.",
    "button_stop_broadcast": "⏹ Cancelar el resto",
    "broadcast_progress": (
        "📣 Aviso #{id}: enviado a {sent} de {total} ({percent}%)\n"
        "Fallidos: {failed} · {rate} msj/s · quedan unos {eta}"
    ),
    "broadcast_report": (
        "✅ Aviso #{id} entregado a {sent} de {total}.\n"
        "Fallidos: {failed} (bloquearon el bot: {blocked})."
    ),
    "broadcast_cancelled_report": (
        "⏹ Aviso #{id} cancelado: enviado a {sent} de {total}, {cancelled} sin enviar.\n"
        "Fallidos: {failed} (bloquearon el bot: {blocked})."
    ),
    "broadcast_missed": (
        "⚠️ El aviso programado #{id} no se envió: el bot estaba caído a esa hora y ya es "
        "tarde. Envíalo de nuevo con /broadcast si todavía importa."
    ),
    "broadcast_withdrawn": (
        "⚠️ El aviso programado #{id} para {city} no se envió y queda cancelado: ya no "
        "puedes enviar avisos allí."
    ),
    "broadcasts": "<b>Avisos recientes</b>\n{lines}",
    "broadcast_line": "#{id} · {city} · {state} · enviados {sent}/{total} · fallidos {failed}",
    "no_broadcasts": "Aún no hay avisos.",
    "state_scheduled": "programado",
    "state_sending": "enviando",
    "state_done": "terminado",
    "state_cancelled": "cancelado",
    "state_missed": "perdido",
    "scheduled_line": "🕒 #{id} · {city} · {when}\n{preview}",
    "button_unschedule": "Cancelar este aviso",
    "no_scheduled": "No hay nada programado.",
    "scheduled_cancelled": "El aviso programado #{id} está cancelado.",
    "scheduled_gone": "El aviso #{id} ya no está programado.",
    # Actions
    "action_card": "📢 <b>{title}</b>\n🗓 {when}\n📍 {place}",
    "action_details": "{details}",
    "action_share": "🔗 Invita a más gente: {link}",
    "your_answer_yes": "Tu respuesta: ✅ Ahí estaré",
    "your_answer_no": "Tu respuesta: ❌ No puedo ir",
    "button_yes": "Ahí estaré",
    "button_no": "No puedo ir",
    "button_action_over": "Esta acción ya pasó",
    "button_action_cancelled": "Esta acción se canceló",
    "rsvp_yes_thanks": "¡Nos vemos ahí!",
    "rsvp_no_thanks": "Gracias por avisar.",
    "action_over": "Esta acción ya empezó: no se registran más respuestas.",
    "action_called_off": "Esta acción se canceló: no se registran más respuestas.",
    "reminder": "⏰ Recordatorio: <b>{title}</b> es el {when}, en {place}.",
    "action_moved": "🕒 Cambio de hora: <b>{title}</b> ahora empieza el {when}.",
    "action_relocated": "📍 Cambio de lugar: <b>{title}</b> ahora es en {place}.",
    "action_cancelled": "❌ Cancelada: <b>{title}</b> no se realizará.",
    "start_first": "No estás registrado (o borraste tus datos). Envía /start para registrarte.",
    "action_withdrawn": "⚠️ Tu acción «{title}» no se anunció: ya no organizas en su ciudad.",
    "action_missed": "⚠️ Tu acción «{title}» no se anunció: el bot estaba caído a la hora de "
    "publicarla y ya es tarde.",
    "actions_none": "No hay acciones próximas en tus ciudades. Sigue más con /cities.",
    "action_unknown": "Esa acción no existe o ya se realizó.",
    "newaction_pick_city": "📢 Nueva acción. ¿En qué ciudad es?",
    "newaction_title": "¿Cómo se llama? (por ejemplo, «Entrega de firmas en Amazon»)",
    "newaction_when": "¿Cuándo empieza? Envía la hora local como <code>AAAA-MM-DD HH:MM</code> "
    "({zone}).",
    "newaction_place": "¿Dónde? Envía el lugar tal como debe leerse.",
    "newaction_details": "¿Algún detalle (qué llevar, a quién buscar)? Envíalo, o /skip.",
    "too_long_for": "Por favor, menos de {limit} caracteres.",
    "newaction_confirm": "☝️ Así lo verán {count} seguidores. ¿Publicar?",
    "button_publish_now": "📢 Publicar ahora",
    "button_publish_at": "🕒 Publicar a las…",
    "newaction_publish_when": "¿Cuándo se anuncia? Envía la hora local como "
    "<code>AAAA-MM-DD HH:MM</code> ({zone}), antes de que empiece la acción.",
    "publish_after_start": "Eso no es antes de que empiece la acción. Elige una hora anterior.",
    "start_after_publish": "La acción se anuncia el {when}; el nuevo inicio debe ser después. "
    "Elige una hora posterior.",
    "newaction_start_passed": "La hora de inicio pasó mientras esto esperaba. Envía un nuevo "
    "inicio como <code>AAAA-MM-DD HH:MM</code> ({zone}).",
    "action_published": "La acción #{id} se está anunciando a {count} seguidores.\n"
    "Enlace para compartir: {link}",
    "action_publish_scheduled": "La acción #{id} se anunciará el {when}.",
    "time_ambiguous_note": "Esa hora ocurre dos veces cuando se atrasa el reloj; tomé la primera.",
    "myactions_none": "No tienes acciones próximas. Crea una con /newaction.",
    "myaction_line": "#{id} <b>{title}</b> · {city}\n🗓 {when}\n✅ {yes} · ❌ {no}",
    "button_change_time": "🕒 Cambiar hora",
    "button_change_place": "📍 Cambiar lugar",
    "button_cancel_action": "❌ Cancelar acción",
    "button_confirm_cancel_action": "Sí, cancelarla y avisar a todos",
    "confirm_cancel_action": "¿Cancelar #{id} «{title}»? Se avisará a quienes dijeron que sí.",
    "ask_new_time": "¿Nueva hora de inicio para «{title}»? Envía <code>AAAA-MM-DD HH:MM</code> "
    "({zone}).",
    "ask_new_place": "¿Nuevo lugar para «{title}»?",
    "action_time_changed": "Movida al {when}. Se está avisando a quienes dijeron que sí.",
    "action_place_changed": "Movida a {place}. Se está avisando a quienes dijeron que sí.",
    "action_cancel_done": "#{id} está cancelada. Se está avisando a quienes dijeron que sí.",
    "not_your_action": "No te corresponde gestionar esa acción.",
    "usage_rsvps": "Uso: <code>/rsvps id_acción</code>, por ejemplo <code>/rsvps 12</code>.",
    "rsvps": "#{id} <b>{title}</b>\n✅ {yes} irán · ❌ {no} no pueden\nÚltima respuesta: {last}",
    "no_answers_yet": "ninguna aún",
    # Command menu descriptions
    "command_actions": "Próximas acciones en tus ciudades",
    "command_newaction": "Anunciar una acción (organizadores)",
    "command_myactions": "Tus próximas acciones (organizadores)",
    "command_rsvps": "Asistencia a una acción (organizadores)",
    "command_myid": "Tu id de usuario de Telegram",
    "command_broadcast": "Enviar un aviso a una ciudad (organizadores)",
    "command_broadcasts": "Avisos recientes (organizadores)",
    "command_scheduled": "Avisos programados (organizadores)",
    "command_cancel": "Dejar lo que estás redactando",
    "command_promote": "Nombrar a alguien organizador (admin)",
    "command_demote": "Quitar a un organizador (admin)",
    "command_organizers": "Quién organiza dónde (admin)",
    "command_start": "Registrarte o reanudar avisos",
    "command_cities": "Elegir las ciudades que sigues",
    "command_subscribe": "Seguir una ciudad",
    "command_unsubscribe": "Dejar de seguir una ciudad",
    "command_mycities": "Las ciudades que sigues",
    "command_language": "Inglés o español",
    "command_stop": "Pausar todos los mensajes",
    "command_deleteme": "Borrar todo lo tuyo",
    "command_help": "Lo que puedo hacer",
    "command_addcity": "Añadir una ciudad (admin)",
}
