val xs = List(1, 2, 3)
println(xs.map(_ * 2))
