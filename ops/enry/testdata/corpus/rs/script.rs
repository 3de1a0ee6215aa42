#pragma version(1)
#pragma rs java_package_name(com.example)
void root(const uchar4 *in, uchar4 *out) {}
