package lsif

import (
	"fmt"
	"strings"
)

// HoverPartSeparator separates the parts of a hover whose contents is an
// array, as in the reference converter.
const HoverPartSeparator = "\n\n---\n\n"

// hoverText renders a hoverResult's result ({"contents": ...}) as Markdown.
// contents may be a string, a MarkedString {language, value} (rendered as a
// fenced code block), a MarkupContent {kind, value}, or an array of strings
// and MarkedStrings. A hoverResult without contents has empty text.
func hoverText(result []byte, buf *[]byte) (string, error) {
	it, ok := newObjIter(result)
	if !ok {
		if len(result) == 0 {
			return "", nil
		}
		return "", fmt.Errorf("result is %s, want an object {contents}", truncate(result))
	}
	var contents []byte
	for {
		k, v, more := it.next()
		if !more {
			break
		}
		if keyIs(k, "contents") {
			contents = v
		}
	}
	arr, ok := newArrIter(contents)
	if !ok {
		return hoverPart(contents, buf)
	}
	var parts []string
	for {
		v, more := arr.next()
		if !more {
			return strings.Join(parts, HoverPartSeparator), nil
		}
		part, err := hoverPart(v, buf)
		if err != nil {
			return "", err
		}
		if part != "" {
			parts = append(parts, part)
		}
	}
}

func hoverPart(v []byte, buf *[]byte) (string, error) {
	if len(v) == 0 || string(v) == "null" {
		return "", nil
	}
	if v[0] == '"' {
		return strings.TrimSpace(validString(unquote(v, buf))), nil
	}
	it, ok := newObjIter(v)
	if !ok {
		return "", fmt.Errorf("hover contents part is %s, want a string or an object", truncate(v))
	}
	var language, kind, value []byte
	var haveLanguage bool
	for {
		k, val, more := it.next()
		if !more {
			break
		}
		if len(val) == 0 || val[0] != '"' {
			continue
		}
		switch {
		case keyIs(k, "language"):
			language, haveLanguage = unquote(val, buf), true
		case keyIs(k, "kind"):
			kind = unquote(val, buf)
		case keyIs(k, "value"):
			value = unquote(val, buf)
		}
	}
	text := strings.TrimSpace(validString(value))
	if text == "" || !haveLanguage && len(kind) > 0 {
		return text, nil // MarkupContent, markdown or plaintext
	}
	return "```" + validString(language) + "\n" + text + "\n```", nil
}

// parseDiagnostics reads a diagnosticResult's result: an array of
// {severity, code, message, source, range}.
func parseDiagnostics(result []byte, buf *[]byte) ([]Diagnostic, error) {
	arr, ok := newArrIter(result)
	if !ok {
		if len(result) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("result is %s, want an array", truncate(result))
	}
	var diags []Diagnostic
	for {
		v, more := arr.next()
		if !more {
			return diags, nil
		}
		d, err := parseDiagnostic(v, buf)
		if err != nil {
			return nil, err
		}
		diags = append(diags, d)
	}
}

func parseDiagnostic(v []byte, buf *[]byte) (Diagnostic, error) {
	var d Diagnostic
	it, ok := newObjIter(v)
	if !ok {
		return d, fmt.Errorf("diagnostic is %s, want an object", truncate(v))
	}
	for {
		k, val, more := it.next()
		if !more {
			return d, nil
		}
		str := func() string {
			if len(val) > 0 && val[0] == '"' {
				return validString(unquote(val, buf))
			}
			return ""
		}
		switch {
		case keyIs(k, "severity"):
			n, _ := parseInt(val)
			d.Severity = int32(n)
		case keyIs(k, "code"):
			if d.Code = str(); d.Code == "" && len(val) > 0 && val[0] != 'n' {
				d.Code = string(val) // a number
			}
		case keyIs(k, "message"):
			d.Message = str()
		case keyIs(k, "source"):
			d.Source = str()
		case keyIs(k, "range"):
			if err := parseRange(val, &d.Range); err != nil {
				return d, fmt.Errorf("diagnostic range: %w", err)
			}
		}
	}
}

func parseRange(v []byte, r *Range) error {
	it, ok := newObjIter(v)
	if !ok {
		return fmt.Errorf("want an object {start, end}, got %s", truncate(v))
	}
	for {
		k, val, more := it.next()
		if !more {
			return nil
		}
		var err error
		switch {
		case keyIs(k, "start"):
			r.StartLine, r.StartCharacter, err = parsePosition(val)
		case keyIs(k, "end"):
			r.EndLine, r.EndCharacter, err = parsePosition(val)
		}
		if err != nil {
			return err
		}
	}
}
