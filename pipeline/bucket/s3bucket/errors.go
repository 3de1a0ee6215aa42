package s3bucket

import (
	"errors"

	"github.com/aws/smithy-go"
	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// translate returns bucket.ErrNotExist for S3's object-not-found errors and
// err otherwise. NoSuchBucket is not translated: a missing bucket is a
// configuration error, not a missing object.
func translate(err error) error {
	switch errorCode(err) {
	case "NoSuchKey", "NotFound": // NotFound: HEAD responses have no body to name the error
		return bucket.ErrNotExist
	}
	return err
}

// errorCode returns the S3 error code in err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
