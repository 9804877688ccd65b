fn main() {
    println!("newsclaims");
}
