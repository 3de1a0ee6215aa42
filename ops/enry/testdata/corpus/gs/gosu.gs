uses java.util.List
var x = 1
print(x)
