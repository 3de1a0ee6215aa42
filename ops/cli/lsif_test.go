package cli

import "testing"

func TestCleanUploadRoot(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ root, want string }{
		{"", ""}, {".", ""}, {"./", ""}, {"web", "web"}, {"web/", "web"},
		{`web\app`, "web/app"}, {"web/./app", "web/app"}, {"web//app/", "web/app"},
	} {
		if got, err := cleanUploadRoot(tt.root); err != nil || got != tt.want {
			t.Errorf("cleanUploadRoot(%q) = %q, %v; want %q", tt.root, got, err, tt.want)
		}
	}
	for _, root := range []string{"..", "../x", "web/../x", "/", "/etc", "/web/", `\etc`} {
		if _, err := cleanUploadRoot(root); err == nil {
			t.Errorf("cleanUploadRoot(%q): want an error", root)
		}
	}
}
