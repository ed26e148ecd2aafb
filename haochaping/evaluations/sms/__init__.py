"""The SMS rating channel (seed 003 §9(三)): the invitation sweep (``invitations``) and
the replies (``replies``, ``rules``). Notify only carries the messages: its outbox sends the
invitations, its webhook hands each reply to :func:`replies.sms_reply_process` through the
hook table in ``notify.hooks``."""
