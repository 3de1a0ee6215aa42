package s3bucket

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger passes what the AWS SDK logs (such as "failed to discard
// remaining HTTP response body") to a slog.Logger, so that it reaches the
// structured log rather than the SDK's own stderr logger.
type sdkLogger struct{ log *slog.Logger }

var _ logging.Logger = sdkLogger{}

// Logf logs one SDK message at the level its classification names.
func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelInfo
	switch c {
	case logging.Warn:
		level = slog.LevelWarn
	case logging.Debug:
		level = slog.LevelDebug
	}
	l.log.Log(context.Background(), level, "aws sdk: "+fmt.Sprintf(format, v...), "component", "s3bucket")
}
