#ifndef PLAIN_H
#define PLAIN_H
int add(int a, int b);
struct point { int x, y; };
#endif
