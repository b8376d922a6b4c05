"""Catalogue sections (``handlers.i18n``) for texts that have no table of their own
beside the code: the job form, the chat bot, the pipeline's mails."""
