use strict;
use Test::More tests => 1;
ok(1 + 1 == 2, 'math');
