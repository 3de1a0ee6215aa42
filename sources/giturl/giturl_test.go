package giturl_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/giturl"
)

func TestTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want, wantErr string
	}{
		{url: "https://github.com/org/repo.git", want: "https"},
		{url: "HTTPS://github.com/org/repo.git", want: "https"},
		{url: "http://example.com/x.git", want: "http"},
		{url: "ssh://git@example.com:2222/x.git", want: "ssh"},
		{url: "git+ssh://example.com/x.git", want: "ssh"},
		{url: "git@github.com:org/repo.git", want: "ssh"},
		{url: "example.com:org/repo.git", want: "ssh"},
		{url: "[::1]:repo.git", want: "ssh"},
		{url: "git://example.com/x.git", want: "git"},
		{url: "file:///srv/x.git", want: "file"},
		{url: "/srv/x.git", want: "file"},
		{url: "relative/dir:with-colon", want: "file"},
		{url: "", wantErr: "empty"},
		{url: "--upload-pack=touch /tmp/pwned", wantErr: "starts with '-'"},
		{url: "-oProxyCommand=x", wantErr: "starts with '-'"},
		{url: "ext::sh -c touch% /tmp/pwned", wantErr: "ext:: transport is not supported"},
		{url: "fd::17", wantErr: "fd:: transport is not supported"},
		{url: "https::example.com/x", wantErr: "https:: transport is not supported"},
		{url: "ssh://-oProxyCommand=touch/repo", wantErr: "starting with '-'"},
		{url: "ssh://-oProxyCommand=touch%20x/repo", wantErr: "does not parse"},
		{url: "ssh://-u@example.com/repo", wantErr: "starting with '-'"},
		{url: "-host:repo.git", wantErr: "starts with '-'"},
		{url: "me@-oProxyCommand=x:repo.git", wantErr: `host "-oProxyCommand=x" starts with '-'`},
		{url: "ftp://example.com/x.git", wantErr: `unknown scheme "ftp"`},
		{url: "https://example.com/x\n.git", wantErr: "control characters"},
		{url: "https:///x.git", wantErr: "no host"},
		{url: "https://user:pa#ss@example.com/x.git", wantErr: "does not parse"},
	}
	for _, tt := range tests {
		got, err := giturl.Transport(tt.url)
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Transport(%q) = %q, %v; want error %q", tt.url, got, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("Transport(%q) = %q, %v; want %q", tt.url, got, err, tt.want)
		}
	}
}

func TestProtocolsCheck(t *testing.T) {
	t.Parallel()
	var def giturl.Protocols
	for _, u := range []string{"https://h/x", "ssh://h/x", "git@h:x", "git://h/x"} {
		if _, err := def.Check(u); err != nil {
			t.Errorf("default Check(%q) = %v, want allowed", u, err)
		}
	}
	for _, u := range []string{"file:///etc", "/srv/other.git", "http://h/x"} {
		_, err := def.Check(u)
		if err == nil || !strings.Contains(err.Error(), "not allowed") || !strings.Contains(err.Error(), "SIGHTLINE_GIT_PROTOCOLS") {
			t.Errorf("default Check(%q) = %v, want not allowed naming SIGHTLINE_GIT_PROTOCOLS", u, err)
		}
	}
	withFile, err := giturl.ParseProtocols(" https, file ,https")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(giturl.Protocols{"https", "file"}, withFile); diff != "" {
		t.Errorf("ParseProtocols (-want +got):\n%s", diff)
	}
	if _, err := withFile.Check("/srv/x.git"); err != nil {
		t.Errorf("Check(local path) with file allowed = %v", err)
	}
	if _, err := withFile.Check("ssh://h/x"); err == nil {
		t.Errorf("Check(ssh) with https,file = nil, want not allowed")
	}
	for _, bad := range []string{"", "ext", "https,fd", "https,,ssh"} {
		if _, err := giturl.ParseProtocols(bad); err == nil {
			t.Errorf("ParseProtocols(%q) = nil error", bad)
		}
	}
	if diff := cmp.Diff([]string{"GIT_ALLOW_PROTOCOL=https:ssh:git"}, def.GitEnv()); diff != "" {
		t.Errorf("GitEnv (-want +got):\n%s", diff)
	}
	wantArgs := []string{"-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.file.allow=always"}
	if diff := cmp.Diff(wantArgs, withFile.GitArgs()); diff != "" {
		t.Errorf("GitArgs (-want +got):\n%s", diff)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ url, want, secret string }{
		{"https://user:s3cret@example.com/x.git", "https://user:xxxxx@example.com/x.git", "s3cret"},
		{"https://user:s3%2Fcret@example.com/x.git", "https://user:xxxxx@example.com/x.git", "s3/cret"},
		{"https://ghp_token123@github.com/x.git", "https://xxxxx@github.com/x.git", "ghp_token123"},
		{"https://user:pa#ss@example.com/x.git", "https://xxxxx@example.com/x.git", "pa#ss"},
		{"https://user:pa/ss@example.com/x.git", "https://xxxxx@example.com/x.git", "pa/ss"},
		{"ssh://git:s3cret@example.com/x.git", "ssh://git:xxxxx@example.com/x.git", "s3cret"},
		{"ssh://git@example.com/x.git", "ssh://git@example.com/x.git", ""},
		{"https://example.com/a@b", "https://example.com/a@b", ""},
		{"git@github.com:org/x.git", "git@github.com:org/x.git", ""},
		{"/srv/x.git", "/srv/x.git", ""},
	}
	for _, tt := range tests {
		if got := giturl.Redact(tt.url); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.url, got, tt.want)
		}
		msg := "fatal: unable to access '" + tt.url + "': auth failed for " + tt.secret
		got := giturl.Scrub(msg, tt.url)
		if tt.secret != "" && strings.Contains(got, tt.secret) {
			t.Errorf("Scrub(%q) = %q, shows the secret", msg, got)
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("Scrub(%q) = %q, want the URL shown as %q", msg, got, tt.want)
		}
	}
}
