package query

// AssertRoundTrip is assertRoundTrip for FuzzParse, which is in package
// query_test so that it can compile and match parsed queries with package
// search.
var AssertRoundTrip = assertRoundTrip
