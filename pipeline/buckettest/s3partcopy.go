package buckettest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"
)

// S3PartCopier adds UploadPartCopy to a fake S3 server that lacks it, as
// gofakes3 does, so that tests can exercise server-side part copies: it
// reads the source range through Next and uploads it as an ordinary part.
type S3PartCopier struct {
	Next http.Handler

	copies atomic.Int64
}

// ServeHTTP serves UploadPartCopy requests itself and passes the rest on.
func (c *S3PartCopier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	src := r.Header.Get("X-Amz-Copy-Source")
	if r.Method != http.MethodPut || src == "" || !r.URL.Query().Has("uploadId") {
		c.Next.ServeHTTP(w, r)
		return
	}
	get := httptest.NewRequest(http.MethodGet, "/"+src, nil)
	get.Header.Set("Range", r.Header.Get("X-Amz-Copy-Source-Range"))
	get.Header.Set("If-Match", r.Header.Get("X-Amz-Copy-Source-If-Match"))
	data, ok := c.forward(w, get)
	if !ok {
		return
	}
	put := httptest.NewRequest(http.MethodPut, r.URL.String(), bytes.NewReader(data))
	put.Header.Set("Content-Length", strconv.Itoa(len(data)))
	rec := httptest.NewRecorder()
	c.Next.ServeHTTP(rec, put)
	if rec.Code != http.StatusOK {
		copyResponse(w, rec)
		return
	}
	c.copies.Add(1)
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<CopyPartResult><ETag>%s</ETag><LastModified>%s</LastModified></CopyPartResult>`,
		html.EscapeString(rec.Header().Get("ETag")), time.Now().UTC().Format(time.RFC3339))
}

// forward serves req with Next and returns the body of a successful
// response; it relays any other response to w and returns false.
func (c *S3PartCopier) forward(w http.ResponseWriter, req *http.Request) ([]byte, bool) {
	rec := httptest.NewRecorder()
	c.Next.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusPartialContent {
		copyResponse(w, rec)
		return nil, false
	}
	return rec.Body.Bytes(), true
}

// copyResponse relays a recorded response.
func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// Copies returns how many parts c has copied.
func (c *S3PartCopier) Copies() int64 { return c.copies.Load() }
