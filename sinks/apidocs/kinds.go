package apidocs

import (
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// The columns of EntryKind.
var (
	entryUpload    = batch.Int64("upload_id")
	entryOrdinal   = batch.Int32("ordinal")
	entryPath      = batch.String("path")
	entryStartLine = batch.Int32("start_line")
	entryStartChar = batch.Int32("start_character")
	entryEndLine   = batch.Int32("end_line")
	entryEndChar   = batch.Int32("end_character")
	entryLanguage  = batch.String("language")
	entryName      = batch.String("name")
	entryKind      = batch.String("kind")
	entrySearchKey = batch.String("search_key")
	entrySignature = batch.String("signature")
	entryDetail    = batch.String("detail")
	entryTags      = batch.StringList("tags")
	// EntryKind holds apidocs_entries: one row per documentation entry of
	// an upload, numbered by ordinal in the converter's order.
	EntryKind = batch.NewKind("apidocs-entry", 1, entryUpload, entryOrdinal, entryPath,
		entryStartLine, entryStartChar, entryEndLine, entryEndChar,
		entryLanguage, entryName, entryKind, entrySearchKey, entrySignature, entryDetail, entryTags)
)

// AppendEntry appends entry e, the ordinal-th of upload uploadID, to b (a
// builder of an EntryKind batch) and ends the row.
func AppendEntry(b *batch.Builder, uploadID int64, ordinal int32, e lsif.DocEntry) error {
	entryUpload.Append(b, uploadID)
	entryOrdinal.Append(b, ordinal)
	entryPath.Append(b, e.Path)
	entryStartLine.Append(b, e.Range.StartLine)
	entryStartChar.Append(b, e.Range.StartCharacter)
	entryEndLine.Append(b, e.Range.EndLine)
	entryEndChar.Append(b, e.Range.EndCharacter)
	entryLanguage.Append(b, e.Language)
	entryName.Append(b, e.Name)
	entryKind.Append(b, e.Kind)
	entrySearchKey.Append(b, e.SearchKey)
	entrySignature.Append(b, e.Signature)
	entryDetail.Append(b, e.Detail)
	entryTags.Append(b, e.Tags)
	return b.EndRow()
}

// Targets load the kinds into apidocs_entries with a plain COPY. The rows
// of an upload being processed are searched by nothing: Reconcile copies
// those of indexed uploads into the search tables.
func Targets() []loader.Target {
	return []loader.Target{{Kind: EntryKind, Table: "apidocs_entries"}}
}

// Kinds are the batch kinds of the store.
var Kinds = []batch.Kind{EntryKind}
