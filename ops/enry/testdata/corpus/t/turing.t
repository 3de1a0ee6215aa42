var x : int := 5
put x
