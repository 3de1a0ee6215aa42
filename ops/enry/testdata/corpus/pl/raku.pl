use v6;
my @a = <a b c>;
say @a.elems;
