package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sightline-dev/sightline/sinks/pgstore"
)

// The password in every case is made of these two halves (with something
// between them), so that a leak of either half shows.
const pwA, pwB = "Zq9", "Wx7"

// redactCases are the forms pgx accepts a password in. password is what
// pgx reads ("" for a string pgx refuses, or a password pgx does not take
// as one); want, when set, is the exact redaction.
var redactCases = []struct {
	name, conn, password, want string
}{
	{"url", "postgres://u:Zq9Wx7@127.0.0.1:1/db", "Zq9Wx7", "postgres://u:xxxxx@127.0.0.1:1/db"},
	{"postgresql url", "postgresql://u:Zq9Wx7@127.0.0.1:1/db?sslmode=disable", "Zq9Wx7", "postgresql://u:xxxxx@127.0.0.1:1/db?sslmode=disable"},
	{"percent-encoded", "postgres://u:Zq9%23Wx7@127.0.0.1:1/db", "Zq9#Wx7", "postgres://u:xxxxx@127.0.0.1:1/db"},
	{"unescaped #", "postgres://u:Zq9#Wx7@127.0.0.1:1/db", "Zq9#Wx7", "postgres://u:xxxxx@127.0.0.1:1/db"},
	{"unescaped ?", "postgres://u:Zq9?Wx7@127.0.0.1:1/db", "Zq9?Wx7", "postgres://u:xxxxx@127.0.0.1:1/db"},
	{"unescaped :", "postgres://u:Zq9:Wx7@127.0.0.1:1/db", "Zq9:Wx7", "postgres://u:xxxxx@127.0.0.1:1/db"},
	{"unescaped @", "postgres://u:Zq9@Wx7@127.0.0.1:1/db", "", ""},
	{"unescaped /", "postgres://u:Zq9/Wx7@127.0.0.1:1/db", "", "postgres://u:xxxxx@127.0.0.1:1/db"},
	{"unescaped / and ?", "postgres://u:Zq9/a?Wx7@127.0.0.1:1/db", "", ""},
	{"query password", "postgres://u@127.0.0.1:1/db?password=Zq9Wx7&sslmode=disable", "Zq9Wx7",
		"postgres://u@127.0.0.1:1/db?password=xxxxx&sslmode=disable"},
	{"query password with #", "postgres://127.0.0.1:1/db?sslmode=disable&password=Zq9#Wx7", "Zq9#Wx7",
		"postgres://127.0.0.1:1/db?sslmode=disable&password=xxxxx"},
	{"encoded query key", "postgres://127.0.0.1:1/db?pass%77ord=Zq9Wx7", "Zq9Wx7", "postgres://127.0.0.1:1/db?pass%77ord=xxxxx"},
	{"sslpassword", "postgres://127.0.0.1:1/db?sslpassword=Zq9Wx7", "", "postgres://127.0.0.1:1/db?sslpassword=xxxxx"},
	{"multi-host", "postgres://u:Zq9Wx7@127.0.0.1:1,127.0.0.1:2/db", "Zq9Wx7", "postgres://u:xxxxx@127.0.0.1:1,127.0.0.1:2/db"},
	{"ipv6", "postgres://u:Zq9Wx7@[::1]:1/db", "Zq9Wx7", "postgres://u:xxxxx@[::1]:1/db"},
	{"keyword/value", "host=127.0.0.1 port=1 password=Zq9Wx7 dbname=db", "Zq9Wx7", "host=127.0.0.1 port=1 password=xxxxx dbname=db"},
	{"spaces around =", "host=127.0.0.1 port=1 password = Zq9Wx7 dbname=db", "Zq9Wx7", "host=127.0.0.1 port=1 password = xxxxx dbname=db"},
	{"quoted with space", "host=127.0.0.1 port=1 password='Zq9 Wx7' dbname=db", "Zq9 Wx7", "host=127.0.0.1 port=1 password=xxxxx dbname=db"},
	{"quoted with escaped quote", `host=127.0.0.1 port=1 password='Zq9\' Wx7' dbname=db`, "Zq9' Wx7", "host=127.0.0.1 port=1 password=xxxxx dbname=db"},
	{"escaped space", `host=127.0.0.1 port=1 password=Zq9\ Wx7 dbname=db`, "Zq9 Wx7", "host=127.0.0.1 port=1 password=xxxxx dbname=db"},
	{"tabs and newlines", "host=127.0.0.1\tport=1\npassword=Zq9Wx7\tdbname=db", "Zq9Wx7", "host=127.0.0.1\tport=1\npassword=xxxxx\tdbname=db"},
	{"password first", "password=Zq9Wx7 host=127.0.0.1 port=1", "Zq9Wx7", "password=xxxxx host=127.0.0.1 port=1"},
	{"empty value swallows the next", "host=127.0.0.1 port=1 password= Zq9Wx7", "Zq9Wx7", "host=127.0.0.1 port=1 password= xxxxx"},
	{"keyword sslpassword", "host=127.0.0.1 port=1 sslpassword=Zq9Wx7", "", "host=127.0.0.1 port=1 sslpassword=xxxxx"},
	{"unterminated quote", "host=127.0.0.1 port=1 password='Zq9 Wx7", "", "host=127.0.0.1 port=1 password=xxxxx"},
	{"word without =", "host=127.0.0.1 port=1 password Zq9Wx7", "", "host=127.0.0.1 port=1 xxxxx"},
	{"upper-case keyword", "host=127.0.0.1 port=1 PASSWORD=Zq9Wx7", "", "host=127.0.0.1 port=1 PASSWORD=xxxxx"},
}

// TestRedact checks every form pgx accepts a password in: pgx reads the
// password the case says (so the case is a real form), and Redact shows
// neither half of it, nor does anything else survive that should not.
func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tt := range redactCases {
		if tt.password != "" {
			cfg, err := pgconn.ParseConfig(tt.conn)
			if err != nil || cfg.Password != tt.password {
				t.Errorf("%s: pgx reads password %q (%v), want %q", tt.name, passwordOf(cfg), err, tt.password)
			}
		}
		got := pgstore.Redact(tt.conn)
		if strings.Contains(got, pwA) || strings.Contains(got, pwB) {
			t.Errorf("%s: Redact(%q) = %q shows the password", tt.name, tt.conn, got)
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", tt.name, tt.conn, got, tt.want)
		}
	}
	for _, conn := range []string{
		"postgres://user@/x?host=/tmp/pg&sslmode=disable",
		"postgres://u@h/db?application_name=a@b",
		"host=/tmp/pg dbname=x",
	} {
		if got := pgstore.Redact(conn); got != conn {
			t.Errorf("Redact(%q) = %q, want it unchanged (no password)", conn, got)
		}
	}
}

// TestConnectErrorsHidePasswords connects with every form to an address
// nothing listens on (or fails to parse it): the error names the
// connection string masked and shows no part of the password, not even
// through pgx's own message.
func TestConnectErrorsHidePasswords(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tt := range redactCases {
		_, err := pgstore.Connect(ctx, tt.conn, "")
		if err == nil {
			t.Fatalf("%s: connected to nothing", tt.name)
		}
		if msg := err.Error(); strings.Contains(msg, pwA) || strings.Contains(msg, pwB) {
			t.Errorf("%s: Connect error shows the password: %s", tt.name, msg)
		}
		if !strings.Contains(err.Error(), pgstore.Redact(tt.conn)) {
			t.Errorf("%s: Connect error %q does not name %q", tt.name, err, pgstore.Redact(tt.conn))
		}
	}
}

func passwordOf(cfg *pgconn.Config) string {
	if cfg == nil {
		return ""
	}
	return cfg.Password
}
