package buckettest_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// payload is what the handler behind the Chaos answers.
var payload = strings.Repeat("0123456789", 100)

// chaosServer serves a Chaos with cfg in front of a handler answering
// payload, and counts the requests that reach the handler.
func chaosServer(t *testing.T, cfg buckettest.ChaosConfig) (string, *buckettest.Chaos, *atomic.Int64) {
	var served atomic.Int64
	c := buckettest.NewChaos(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, payload)
	}), cfg)
	return buckettest.Serve(t, c), c, &served
}

// get sends method to url on a fresh connection and returns the status and
// body read, or the error.
func get(t *testing.T, method, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestChaosFaults(t *testing.T) {
	t.Parallel()
	t.Run("503", func(t *testing.T) {
		url, c, served := chaosServer(t, buckettest.ChaosConfig{Unavailable: 1})
		status, _, err := get(t, http.MethodGet, url)
		if status != http.StatusServiceUnavailable || err != nil || served.Load() != 0 {
			t.Errorf("GET = %d, %v, %d served; want 503 without reaching the server", status, err, served.Load())
		}
		if got := c.Counts(); got != (buckettest.ChaosCounts{Requests: 1, Unavailable: 1}) {
			t.Errorf("counts %+v", got)
		}
	})
	t.Run("reset", func(t *testing.T) {
		url, c, served := chaosServer(t, buckettest.ChaosConfig{Seed: 7, Reset: 1})
		for range 40 {
			if status, _, err := get(t, http.MethodGet, url); err == nil {
				t.Fatalf("GET through a reset = %d, no error", status)
			}
		}
		got := c.Counts()
		if got.ResetsBefore+got.ResetsAfter != 40 || got.ResetsBefore == 0 || got.ResetsAfter == 0 || got.Faults() != 40 {
			t.Errorf("counts %+v; want 40 resets, some before and some after serving", got)
		}
		if served.Load() != got.ResetsAfter {
			t.Errorf("%d requests reached the server; want the %d reset after serving", served.Load(), got.ResetsAfter)
		}
	})
	t.Run("truncation", func(t *testing.T) {
		url, c, _ := chaosServer(t, buckettest.ChaosConfig{Seed: 3, Truncate: 1})
		for range 20 {
			status, body, err := get(t, http.MethodGet, url)
			if err == nil || len(body) >= len(payload) || !strings.HasPrefix(payload, body) {
				t.Fatalf("GET = %d, %d bytes, %v; want a prefix of the %d bytes and an error", status, len(body), err, len(payload))
			}
			if status != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("GET = %d, %v; want 200 and an unexpected EOF in the body", status, err)
			}
		}
		// An answer without a body is cut inside its headers.
		if status, _, err := get(t, http.MethodDelete, url); err == nil {
			t.Errorf("DELETE through a truncation = %d, no error", status)
		}
		if got := c.Counts(); got.Truncations != 21 || got.Faults() != 21 {
			t.Errorf("counts %+v; want 21 truncations", got)
		}
	})
}

// TestChaosRates checks that the faults come at about their rates, and
// that a seed replays the same ones.
func TestChaosRates(t *testing.T) {
	t.Parallel()
	cfg := buckettest.ChaosConfig{Seed: 42, Unavailable: 0.15, Reset: 0.08, Truncate: 0.08}
	run := func(cfg buckettest.ChaosConfig) buckettest.ChaosCounts {
		url, c, _ := chaosServer(t, cfg)
		for range 400 {
			get(t, http.MethodGet, url)
		}
		return c.Counts()
	}
	got := run(cfg)
	within := func(n int64, rate float64) bool { return float64(n) > 400*rate*0.5 && float64(n) < 400*rate*1.5 }
	if got.Requests != 400 || !within(got.Unavailable, 0.15) || !within(got.ResetsBefore+got.ResetsAfter, 0.08) ||
		!within(got.Truncations, 0.08) {
		t.Errorf("counts %v; want about 15%% 503s, 8%% resets and 8%% truncations of 400 requests", got)
	}
	if again := run(cfg); again != got {
		t.Errorf("seed %d: %v, then %v; want the same faults", cfg.Seed, got, again)
	}
	cfg.Seed++
	if other := run(cfg); other == got {
		t.Errorf("seeds %d and %d both gave %v", cfg.Seed-1, cfg.Seed, got)
	}
}
