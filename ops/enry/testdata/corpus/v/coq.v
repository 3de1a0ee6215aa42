Require Import Arith.
Theorem plus_0 : forall n : nat, n + 0 = n.
Proof. intros n. induction n; simpl; auto. Qed.
