namespace X { partial class Form1 { } }
