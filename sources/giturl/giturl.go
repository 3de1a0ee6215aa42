// Package giturl decides which git remote addresses Sightline may mirror: the
// transport of each form git accepts (scheme://… URLs, scp-like
// user@host:path, local paths, transport::address), an allow-list of
// transports with the git options that enforce it, and the masking of
// credentials embedded in a URL. It does not run git; see sources/gitsource.
package giturl

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// The transports an allow-list may name. Git's other transports (ext::,
// fd:: and remote helpers) are never allowed: they run commands or read
// file descriptors.
const (
	HTTPS = "https"
	HTTP  = "http"
	SSH   = "ssh"
	Git   = "git"
	File  = "file"
)

// known are the transports an allow-list may name, in help order.
var known = []string{HTTPS, SSH, Git, HTTP, File}

// schemes maps a URL scheme to git's name for its transport.
var schemes = map[string]string{
	"https": HTTPS, "http": HTTP, "ssh": SSH, "git+ssh": SSH, "ssh+git": SSH, "git": Git, "file": File,
}

// helperPrefix is git's transport::address form (ext::cmd, fd::17).
var helperPrefix = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+.-]*::`)

// Transport returns the git transport raw uses: https, http, ssh (also for
// scp-like user@host:path), git, or file (file:// URLs and local paths).
// It refuses what git could take for an option (a leading '-', also in the
// host or user), control characters, transport::address forms,
// unknown schemes and URLs that do not parse; errors show raw with its
// credentials masked.
func Transport(raw string) (string, error) {
	switch {
	case raw == "":
		return "", fmt.Errorf("empty repository URL")
	case strings.HasPrefix(raw, "-"):
		return "", fmt.Errorf("repository URL %q starts with '-', which git would read as an option", Redact(raw))
	case strings.IndexFunc(raw, unicode.IsControl) >= 0:
		return "", fmt.Errorf("repository URL %q contains control characters", Redact(raw))
	case helperPrefix.MatchString(raw):
		return "", fmt.Errorf("repository URL %q: git's %s transport is not supported (use https://, ssh:// or git://)",
			Redact(raw), raw[:strings.Index(raw, "::")+2])
	}
	if scheme, _, ok := strings.Cut(raw, "://"); ok {
		return urlTransport(raw, strings.ToLower(scheme))
	}
	if host, ok := scpHost(raw); ok {
		if strings.HasPrefix(host, "-") {
			return "", fmt.Errorf("repository URL %q: host %q starts with '-'", raw, host)
		}
		return SSH, nil
	}
	return File, nil
}

func urlTransport(raw, scheme string) (string, error) {
	t, ok := schemes[scheme]
	if !ok {
		return "", fmt.Errorf("repository URL %q: unknown scheme %q (want one of %s)", Redact(raw), scheme, strings.Join(known, ", "))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("repository URL %q does not parse; percent-encode special characters (@ : / # ?) in the user name and password", Redact(raw))
	}
	if strings.HasPrefix(u.Host, "-") || strings.HasPrefix(u.User.Username(), "-") {
		return "", fmt.Errorf("repository URL %q: a host or user starting with '-' would reach ssh as an option", Redact(raw))
	}
	if t != File && u.Host == "" {
		return "", fmt.Errorf("repository URL %q has no host", Redact(raw))
	}
	return t, nil
}

// scpHost reports whether raw is git's scp-like [user@]host:path form (a
// ':' with no '/' before it) and returns the host.
func scpHost(raw string) (string, bool) {
	colon := strings.IndexByte(raw, ':')
	if colon < 0 {
		return "", false
	}
	if slash := strings.IndexByte(raw, '/'); slash >= 0 && slash < colon {
		return "", false
	}
	host := raw[:colon]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	return strings.Trim(host, "[]"), true
}

// Protocols is an allow-list of transports (https, ssh, git, http, file).
type Protocols []string

// DefaultProtocols are the transports allowed unless configured otherwise:
// not file (it would read any repository on the host) and not plain http.
var DefaultProtocols = Protocols{HTTPS, SSH, Git}

// ParseProtocols reads a comma-separated allow-list such as "https,ssh,git".
func ParseProtocols(s string) (Protocols, error) {
	var p Protocols
	for _, name := range strings.Split(s, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("git protocol %q: want a comma-separated list of %s", name, strings.Join(known, ", "))
		}
		if !slices.Contains(p, name) {
			p = append(p, name)
		}
	}
	return p, nil
}

// String returns the allow-list as ParseProtocols reads it.
func (p Protocols) String() string { return strings.Join(p.orDefault(), ",") }

func (p Protocols) orDefault() Protocols {
	if len(p) == 0 {
		return DefaultProtocols
	}
	return p
}

// Check returns raw's transport if the allow-list (DefaultProtocols when
// empty) has it, else an error naming the transport and the setting.
func (p Protocols) Check(raw string) (string, error) {
	t, err := Transport(raw)
	if err != nil {
		return "", err
	}
	if !slices.Contains(p.orDefault(), t) {
		return "", fmt.Errorf("repository URL %q uses the %s transport, which is not allowed (allowed: %s; set SIGHTLINE_GIT_PROTOCOLS to change)",
			Redact(raw), t, p)
	}
	return t, nil
}

// GitArgs are the git options that allow only these transports; they go
// before the git subcommand.
func (p Protocols) GitArgs() []string {
	args := []string{"-c", "protocol.allow=never"}
	for _, t := range p.orDefault() {
		args = append(args, "-c", "protocol."+t+".allow=always")
	}
	return args
}

// GitEnv is the environment that allows only these transports: git and
// the commands it starts (submodules, remote helpers) honour
// GIT_ALLOW_PROTOCOL over any configuration.
func (p Protocols) GitEnv() []string {
	return []string{"GIT_ALLOW_PROTOCOL=" + strings.Join(p.orDefault(), ":")}
}
