#!/usr/bin/perl
use strict;
use warnings;
my @xs = (1, 2, 3);
print join(',', map { $_ * 2 } @xs), "\n";
