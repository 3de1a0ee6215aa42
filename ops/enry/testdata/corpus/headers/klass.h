#pragma once
#include <string>
namespace geo {
template <typename T>
class Box {
 public:
  explicit Box(T v) : v_(v) {}
 private:
  T v_;
};
}  // namespace geo
