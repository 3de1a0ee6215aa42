main.o: main.c main.h util.h
