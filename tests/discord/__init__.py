"""End-to-end tests of the Discord front end, and of the stand-in Discord they run against."""
