x <- c(1, 2, 3)
m <- mean(x)
print(summary(x))
