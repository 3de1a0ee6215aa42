SinOsc.ar(440, 0, 0.2).play;
{ Saw.ar(220) }.play;
