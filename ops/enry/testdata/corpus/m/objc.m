#import "Greeter.h"
@implementation Greeter
- (void)greet:(NSString *)name {
  NSLog(@"hi %@", name);
}
@end
