"""The comment server: the WSGI app taking the comment form (app, form, abuse), the
moderation queue and page (queue, page, view, auth, links, blocks), the owner's and
readers' mail (notify, outbox, mailer, reader_mail, subscriptions, reply_pages), the
rebuild command run after a change, and the waitress host. `sitegen comments serve`
starts it; the preview mounts the same app."""
