package giturl

import (
	"net/url"
	"strings"
)

// mask replaces a credential.
const mask = "xxxxx"

// Redact returns raw with the credentials in its user information masked:
// the password (https://user:xxxxx@host/…) and, for http and https, a user
// name given alone, which is usually a token (https://xxxxx@host/…). When
// raw does not parse as a URL, its whole user information is masked, up to
// the last '@'. Other forms (scp-like, local paths) carry no password and
// are returned as they are.
func Redact(raw string) string {
	masked, _ := redact(raw)
	return masked
}

// Scrub returns text (an error message, git's output) with raw's
// credentials masked wherever they appear: raw itself as Redact shows it,
// and its password or token, as written and percent-decoded.
func Scrub(text, raw string) string {
	masked, secrets := redact(raw)
	text = strings.ReplaceAll(text, raw, masked)
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, mask)
		}
	}
	return text
}

// redact returns raw masked and the secrets it hid.
func redact(raw string) (string, []string) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw, nil
	}
	if _, err := url.Parse(raw); err != nil {
		// The boundaries are uncertain: hide everything up to the last '@'.
		at := strings.LastIndexByte(rest, '@')
		if at < 0 {
			return raw, nil
		}
		secrets := withDecoded(rest[:at])
		if _, password, ok := strings.Cut(rest[:at], ":"); ok {
			secrets = append(secrets, withDecoded(password)...)
		}
		return scheme + "://" + mask + rest[at:], secrets
	}
	authority := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority = rest[:end]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return raw, nil
	}
	user, password, hasPassword := strings.Cut(authority[:at], ":")
	switch {
	case hasPassword:
		return scheme + "://" + user + ":" + mask + rest[at:], withDecoded(password)
	case isHTTP(scheme):
		return scheme + "://" + mask + rest[at:], withDecoded(user)
	}
	return raw, nil
}

func isHTTP(scheme string) bool {
	s := strings.ToLower(scheme)
	return s == "http" || s == "https"
}

// withDecoded returns s and, when different, its percent-decoded form.
func withDecoded(s string) []string {
	out := []string{s}
	if d, err := url.PathUnescape(s); err == nil && d != s {
		out = append(out, d)
	}
	return out
}
