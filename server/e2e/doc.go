// Package e2e holds the end-to-end tests of the web UI: a real Chromium,
// driven with chromedp, plays a mediator and the three parties of the
// built-in miami-2025 scenario through the single negotiating text to an
// agreement in force, using the UI only (clicks and keys), against the
// server running in-process over SQLite (TestMiamiSingleText; on the way it
// checks that a message arriving re-renders the messages only, leaving the
// field being typed in and the rest of the page as they were). The
// implementation's dashboard (TestMiamiCompliance), seats re-issued
// (TestSeatReissue) and a protocol's own panel, worded from the protocol's
// facts (TestAlternatingOffers), are followed the same way. TestProfileJS
// loads the UI's profile arithmetic (ui/profile.js) in the browser and holds
// it to the Go package profile on random profiles.
//
// The test needs a Chromium or Chrome binary: $PARLEY_CHROME, else
// /usr/bin/chromium, chromium, chromium-browser, google-chrome. Without one
// it skips. On Debian: apt-get install -y chromium.
//
// With PARLEY_SCREENSHOTS=1 it writes a screenshot of every screen to
// docs/img/room-*.png (the images of the documentation). With
// PARLEY_E2E_ARTIFACTS=dir it writes a screenshot of every browser to dir
// when a step fails.
package e2e
