"""Linking library models into registered apps: app installs (`apps`), mapping configs
(`config`), links and the link registry (`links`), and the sync that plans and applies them
(`sync`). One copy of each file, visible in every app; a user's own file or a link we did
not make is never removed, renamed or followed into."""
