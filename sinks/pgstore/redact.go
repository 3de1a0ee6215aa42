package pgstore

import (
	"net/url"
	"strings"
)

// mask replaces a password.
const mask = "xxxxx"

// Redact returns a connection string with every password masked, in each
// form pgx accepts (pgconn.ParseConfig), for messages:
//
//   - a postgres:// or postgresql:// URL: the user information's password,
//     found as pgx finds it (up to the first '@' before any '/'), so an
//     unescaped '#', '?', ':' or '@' in it is masked too; when a stray '@'
//     is left over (an unescaped '/' or '@' in the password) everything
//     before it is masked as well; and the values of password and
//     sslpassword query parameters (keys percent-decoded), up to the next
//     '&';
//   - a keyword/value string (host=h password=secret): the values of the
//     password and sslpassword keywords, unquoted or quoted ('a b', with
//     \' and \\ escapes), spaces around '=' allowed, keywords in any case;
//     from a point the string stops parsing (an unterminated quote, a word
//     with no '='), the rest is masked.
//
// Masking may hide more than the password, never less.
func Redact(conn string) string {
	masked, _ := redact(conn)
	return masked
}

// redact returns conn masked and the secrets it hid, as written and decoded.
func redact(conn string) (string, []string) {
	for _, prefix := range []string{"postgresql://", "postgres://"} {
		if rest, ok := strings.CutPrefix(conn, prefix); ok {
			masked, secrets := redactURL(rest)
			return prefix + masked, secrets
		}
	}
	return redactKeywordValue(conn)
}

func redactURL(p string) (string, []string) {
	var b strings.Builder
	var secrets []string
	hide := func(s string) {
		b.WriteString(mask)
		secrets = append(secrets, decoded(s)...)
	}
	// The user information ends at the first '@' before any '/', as pgx
	// and libpq read it.
	if i := strings.IndexAny(p, "@/"); i >= 0 && p[i] == '@' {
		user, password, ok := strings.Cut(p[:i], ":")
		b.WriteString(user)
		if ok {
			b.WriteString(":")
			hide(password)
		}
		b.WriteString("@")
		p = p[i+1:]
		// A stray '@' before the query: part of the password was taken
		// for the host or path.
		if at := strings.LastIndexByte(beforeQuery(p), '@'); at >= 0 {
			hide(p[:at])
			p = p[at:]
		}
	} else if at := strings.LastIndexByte(p, '@'); at >= 0 {
		// No user information by pgx's reading, yet an '@': an unescaped
		// '/' in a password moved it. Mask from the first ':' to the '@'.
		colon := strings.IndexByte(p[:at], ':')
		b.WriteString(p[:colon+1])
		hide(p[colon+1 : at])
		p = p[at:]
	}
	qi := strings.IndexByte(p, '?')
	if qi < 0 {
		b.WriteString(p)
		return b.String(), secrets
	}
	b.WriteString(p[:qi+1])
	for i, pair := range strings.Split(p[qi+1:], "&") {
		if i > 0 {
			b.WriteString("&")
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok || !isPasswordKey(decodeKey(key)) {
			b.WriteString(pair)
			continue
		}
		b.WriteString(key + "=")
		hide(value)
	}
	return b.String(), secrets
}

func beforeQuery(p string) string {
	if qi := strings.IndexByte(p, '?'); qi >= 0 {
		return p[:qi]
	}
	return p
}

func isPasswordKey(key string) bool {
	return strings.EqualFold(key, "password") || strings.EqualFold(key, "sslpassword")
}

// decodeKey returns a query key percent-decoded (as written if it does not
// decode).
func decodeKey(k string) string {
	if d, err := url.PathUnescape(k); err == nil {
		return d
	}
	return k
}

// decoded returns s and, when it differs, its percent-decoding.
func decoded(s string) []string {
	if d, err := url.PathUnescape(s); err == nil && d != s {
		return []string{s, d}
	}
	return []string{s}
}

const kvSpace = " \t\n\r\v\f"

// redactKeywordValue walks a keyword/value string as pgx parses it.
func redactKeywordValue(s string) (string, []string) {
	var b strings.Builder
	var secrets []string
	hideRest := func(rest string) (string, []string) {
		b.WriteString(mask)
		return b.String(), append(secrets, rest)
	}
	for {
		trimmed := strings.TrimLeft(s, kvSpace)
		b.WriteString(s[:len(s)-len(trimmed)])
		if s = trimmed; s == "" {
			return b.String(), secrets
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 || strings.ContainsAny(strings.Trim(s[:eq], kvSpace), kvSpace) {
			return hideRest(s) // pgx refuses the string from here
		}
		key := strings.Trim(s[:eq], kvSpace)
		afterEq := strings.TrimLeft(s[eq+1:], kvSpace)
		b.WriteString(s[:len(s)-len(afterEq)])
		s = afterEq
		end, ok := valueEnd(s)
		if !ok {
			return hideRest(s)
		}
		if isPasswordKey(key) && end > 0 {
			b.WriteString(mask)
			secrets = append(secrets, s[:end], unquote(s[:end]))
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

// valueEnd returns the length of the value s starts with: a quoted string
// up to its closing quote, or a run of non-spaces; backslashes escape the
// next byte. ok is false for an unterminated quote.
func valueEnd(s string) (int, bool) {
	quoted := strings.HasPrefix(s, "'")
	i := 0
	if quoted {
		i = 1
	}
	for ; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case quoted && s[i] == '\'':
			return i + 1, true
		case !quoted && strings.IndexByte(kvSpace, s[i]) >= 0:
			return i, true
		}
	}
	return min(i, len(s)), !quoted
}

// unquote returns a keyword/value value as pgx reads it: without its
// quotes, each backslash taking the next byte literally.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = v[1 : len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			if i++; i == len(v) {
				break
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
