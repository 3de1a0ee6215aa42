fn main() {
    let v: Vec<i32> = (1..4).collect();
    println!("{:?}", v);
}
