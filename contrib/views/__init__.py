"""Contributors' and moderators' pages, one module per concern (as the services: accounts,
editing, attachments, moderation, relay, vocabulary, members; discovery and figures, over
discovery's and stats' computations). Each view asks `contrib.access`,
validates with a form, calls one service and picks a response (Post/Redirect/Get; htmx
fragments where noted)."""

from contrib.views.accounts import (  # noqa: F401
    LoginView,
    PasswordResetConfirmView,
    PasswordResetView,
    accept_invitation,
    admin_login,
    dashboard,
    sign_up,
    sign_up_confirm,
    sign_up_sent,
)
from contrib.views.attachments import (  # noqa: F401
    download_attachment,
    remove_attachment,
    upload_attachment,
)
from contrib.views.editing import (  # noqa: F401
    autosave_sheet,
    discard_autosave,
    edit_sheet,
    new_sheet,
    preview_sheet,
    restore_revision,
    sheet_history,
    sheet_revision,
    state_label,
    submit_sheet,
)
from contrib.views.members import (  # noqa: F401
    decide_join,
    join_structure,
    request_join,
    structure_contact,
    structure_members,
)
from contrib.views.moderation import (  # noqa: F401
    archive_sheet,
    attach_structure,
    merge_sheet,
    publish_sheet,
    return_sheet,
    review_queue,
    review_sheet,
)
from contrib.views.relay import (  # noqa: F401
    relay_message,
)
from contrib.views.vocabulary import (  # noqa: F401
    delete_thesaurus_entry,
    thesaurus,
    thesaurus_entry,
    vocabulary,
    vocabulary_action,
)
