package search

// byteFreq is how often each byte occurs in source code, in occurrences
// per million bytes. It was measured once over the .go files of Go's
// standard library (Go 1.26, 67 MB, each distinct file once). It only
// steers which byte of a literal the scanner looks for, never what
// matches: the scanner calls bytes.IndexByte once per occurrence of that
// byte, so the rarest one makes the fewest calls. The frequencies add up
// for the two cases of a letter searched ignoring case, which ranks could
// not do (with ranks, a space, the most common byte of all, looked rarer
// than a w in either case).
var byteFreq = [256]uint32{
	0, 0, 0, 0, 0, 0, 0, 0, 0, 42499, 32468, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	142091, 1474, 11020, 146, 58, 1130, 1301, 811, 12350, 12354, 2302, 1090, 23244, 2115, 14792, 12225,
	22851, 9183, 7383, 5516, 5990, 3291, 5771, 2666, 4034, 2738, 9533, 979, 1124, 9578, 767, 60,
	31, 6437, 2809, 5529, 3862, 6646, 3565, 1972, 1646, 5170, 205, 655, 3569, 3567, 3771, 5000,
	4323, 475, 5211, 7421, 6708, 2112, 2814, 1269, 983, 864, 359, 2760, 1903, 2751, 80, 7996,
	601, 31805, 7858, 18638, 16267, 54980, 16244, 10743, 9712, 31332, 745, 4215, 19945, 11377, 35399, 27482,
	14135, 841, 37493, 29751, 45223, 16247, 6959, 4201, 15632, 7562, 1129, 7193, 998, 7180, 46, 0,
	32, 12, 19, 4, 3, 8, 7, 2, 14, 7, 6, 2, 6, 0, 4, 0,
	5, 2, 4, 7, 11, 5, 2, 6, 7, 13, 1, 0, 9, 11, 5, 2,
	2, 2, 2, 2, 8, 5, 3, 5, 1, 12, 3, 3, 3, 2, 1, 1,
	1, 8, 7, 3, 2, 2, 2, 7, 2, 10, 4, 5, 8, 5, 9, 2,
	0, 0, 32, 8, 0, 0, 0, 2, 0, 2, 2, 1, 9, 4, 30, 6,
	2, 1, 0, 0, 0, 2, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0,
	0, 20, 87, 1, 1, 0, 4, 1, 1, 0, 2, 0, 0, 0, 0, 1,
	6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
}
