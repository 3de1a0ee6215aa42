/* GIMP RGB C-Source image dump (logo.c) */
static const struct { int w; } logo = { 1 };
