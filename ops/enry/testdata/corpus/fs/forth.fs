: square ( n -- n*n ) dup * ;
5 square .
