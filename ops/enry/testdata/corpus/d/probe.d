syscall::open:entry
/execname == "ls"/
{
  printf("%s\n", copyinstr(arg0));
}
