	move.l #1,d0
	jsr _LVOOpenLibrary(a6)
	rts
