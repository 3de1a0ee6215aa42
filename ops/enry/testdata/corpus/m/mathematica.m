f[x_] := x^2 + 1
Plot[f[x], {x, -2, 2}]
(* a comment *)
