package search_test

import (
	"fmt"

	"github.com/sightline-dev/sightline/sources/search"
)

// A caller parses once, filters tree entries by path, and computes (or
// fetches from its cache) each file's result from the blob's content.
func Example() {
	q, err := search.Parse(`lang:go -file:_test\.go$ /(\w+)Error\b/`)
	if err != nil {
		fmt.Println(err)
		return
	}
	files := map[string]string{
		"main.go":      "return ParseError{}, io.EOF, ParseError{}\n",
		"main_test.go": "FooError\n",
		"README.md":    "ParseError\n",
	}
	cache := map[[2]string]search.FileResult{} // (blob oid, fingerprint) → result
	for _, path := range []string{"README.md", "main.go", "main_test.go"} {
		if q.PathScope(path) == search.ScopeOut {
			continue
		}
		content := []byte(files[path])
		if !q.InScope(path, content) { // only reads the content for ambiguous languages
			continue
		}
		key := [2]string{"oid-of-" + path, q.Fingerprint()}
		r, ok := cache[key]
		if !ok {
			r = q.MatchContent(content, search.MatchOpts{})
			cache[key] = r
		}
		fmt.Println(path, r.Matches, r.Captures)
	}
	// Output:
	// main.go 2 map[Parse:2]
}

func ExampleParse_error() {
	_, err := search.Parse("foo fiel:bar")
	fmt.Println(err)
	// Output:
	// unknown filter "fiel:" at column 5; did you mean "file:"?
}
