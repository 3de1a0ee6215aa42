package query

import (
	"slices"
	"strings"
	"sync"

	"github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"
)

// resolveLang maps a lang: value (a go-enry language name or alias, any
// case) to the go-enry name.
func resolveLang(v string) (string, bool) {
	return enry.GetLanguageByAlias(v)
}

// langKeys are go-enry's lower-cased names and aliases, sorted, for
// suggestions.
var langKeys = sync.OnceValue(func() []string {
	keys := make([]string, 0, len(data.LanguageByAliasMap))
	for k := range data.LanguageByAliasMap {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
})

// suggestLang returns the language name or alias closest to v, or "".
func suggestLang(v string) string {
	key := strings.ReplaceAll(strings.ToLower(v), " ", "_")
	return Suggest(key, langKeys(), max(2, len(key)/2))
}
